package io.cloudplane.infra.persistence;

import java.time.Instant;
import java.util.UUID;

/** A row of a list that the API pages newest first, by (createdAt, id). */
public interface Listed {
    UUID id();

    Instant createdAt();
}
