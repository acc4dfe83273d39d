package io.cloudplane.workflows.backup;

/**
 * Keep the newest {@code keepCount} backups, and every backup younger than {@code keepDays} days;
 * the newest verified backup is never deleted.
 */
public record Retention(int keepCount, int keepDays) {
    public static final Retention DEFAULT = new Retention(7, 30);
}
