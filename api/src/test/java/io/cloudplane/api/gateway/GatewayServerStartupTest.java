package io.cloudplane.api.gateway;

import io.cloudplane.infra.config.CdsTraining;
import io.cloudplane.infra.gateway.GatewayDoor;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gateway starts with the application's context, on a free port that the URLs show, and not where it must not. */
class GatewayServerStartupTest {
    @TempDir
    Path dataDir;

    @Test
    void startsWithTheContextOnAFreePortAndTheUrlsShowIt() throws Exception {
        try (ApplicationContext context = context(Map.of())) {
            GatewayServer gateway = context.getBean(GatewayServer.class);
            assertTrue(gateway.port() > 0);
            assertEquals("http://abc123.localhost:" + gateway.port() + "/", context.getBean(HostNames.class).url("abc123", GatewayDoor.APP));
            assertTrue(context.getBean(GatewayRouter.class) instanceof GatewayAccess, "the application's own rules decide");
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/")).header("Accept", "text/html").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, response.statusCode(), "no environment is named 127.0.0.1");
            assertTrue(response.body().contains("No environment here"), response.body());
        }
    }

    @Test
    void notInAWorkerOnlyProcessATrainingStartOrWhenDisabled() {
        try (ApplicationContext context = context(Map.of("cloudplane.api.enabled", "false"))) {
            assertFalse(context.containsBean(GatewayServer.class));
        }
        try (ApplicationContext context = context(Map.of("cloudplane.gateway.enabled", "false"))) {
            assertFalse(context.containsBean(GatewayServer.class));
        }
        try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).environments("test", CdsTraining.ENVIRONMENT)
                .properties(properties(Map.of())).start()) {
            assertFalse(context.containsBean(GatewayServer.class));
        }
    }

    private ApplicationContext context(Map<String, Object> extra) {
        return ApplicationContext.builder().deduceEnvironment(false).environments("test").properties(properties(extra)).start();
    }

    private Map<String, Object> properties(Map<String, Object> extra) {
        Map<String, Object> properties = new HashMap<>(Map.of("cloudplane.data-dir", dataDir.toString(), "cloudplane.gateway.port", 0,
                "cloudplane.gateway.tls-port", 0));
        properties.putAll(extra);
        return properties;
    }
}
