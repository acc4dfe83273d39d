package io.cloudplane.infra.runtime;

/** One reading of a server's use: CPU (percent of one core), resident memory, and network where the runtime can tell (else null). */
public record ServerSample(Double cpuPercent, Long memoryBytes, Long netInBytes, Long netOutBytes) {
}
