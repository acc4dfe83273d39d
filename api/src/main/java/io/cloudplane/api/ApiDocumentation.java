package io.cloudplane.api;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import io.swagger.v3.oas.annotations.servers.Server;

/**
 * The OpenAPI document is generated from the controllers at build time and served at
 * /openapi/cloudplane-1.yml, with Swagger UI at /swagger-ui/. RedoclyLintTest keeps it lint clean.
 */
@OpenAPIDefinition(
        info = @Info(title = "cloudplane", version = "1", description = "Cloudplane control plane API"),
        servers = @Server(url = "/", description = "The Cloudplane that serves this document"),
        security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(name = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer")
public final class ApiDocumentation {
    private ApiDocumentation() {
    }
}
