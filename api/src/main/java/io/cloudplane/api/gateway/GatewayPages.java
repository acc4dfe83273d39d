package io.cloudplane.api.gateway;

import io.cloudplane.api.problem.Problem;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.json.JsonMapper;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The gateway's own answers: a short HTML page for a person with a browser, the same as an
 * {@code application/problem+json} document for a script. Never a stack trace, never an internal
 * address or port: what they say is given here, not taken from an exception.
 */
@Singleton
public class GatewayPages {
    private final JsonMapper json;

    public GatewayPages(JsonMapper json) {
        this.json = json;
    }

    /** A link shown under a page's message. */
    public record Link(String href, String text) {
    }

    public GatewayDecision.Respond answer(boolean browser, int status, String title, String message, @Nullable Link link) {
        return browser ? GatewayDecision.Respond.page(status, html(title, message, link, null, 0))
                : problem(status, title, message);
    }

    public GatewayDecision.Respond problem(int status, String title, String message) {
        try {
            HttpHeaders headers = new DefaultHttpHeaders();
            headers.set("Content-Type", Problem.MEDIA_TYPE);
            headers.set("Cache-Control", "no-store");
            return new GatewayDecision.Respond(status, headers,
                    json.writeValueAsBytes(new Problem("about:blank", title, status, message, null, null, null)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A page that reloads itself every {@code seconds} (a sandbox waking up). */
    public GatewayDecision.Respond reloading(int status, String title, String message, int seconds) {
        return GatewayDecision.Respond.page(status, html(title, message, null, null, seconds));
    }

    /** A whole HTML document; {@code bodyHtml}, when given, is put under the message as it is (already escaped). */
    public static String html(String title, String message, @Nullable Link link, @Nullable String bodyHtml, int refreshSeconds) {
        StringBuilder page = new StringBuilder("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        if (refreshSeconds > 0) {
            page.append("<meta http-equiv=\"refresh\" content=\"").append(refreshSeconds).append("\">");
        }
        page.append("<title>").append(escape(title)).append(" · Cloudplane</title>")
                .append("<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}"
                        + "label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.4rem}button{margin-top:1rem;padding:.4rem 1rem}"
                        + ".error{color:#a00}</style></head><body>")
                .append("<h1>").append(escape(title)).append("</h1><p>").append(escape(message)).append("</p>");
        if (link != null) {
            page.append("<p><a href=\"").append(escape(link.href())).append("\">").append(escape(link.text())).append("</a></p>");
        }
        if (bodyHtml != null) {
            page.append(bodyHtml);
        }
        return page.append("</body></html>\n").toString();
    }

    public static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
