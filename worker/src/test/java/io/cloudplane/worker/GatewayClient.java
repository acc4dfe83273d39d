package io.cloudplane.worker;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Requests to environments through the gateway, the way a browser or a script makes them. The JDK
 * resolves no {@code *.localhost} name (browsers and curl do it themselves), so a request to
 * {@code http://<label>.localhost:<port>/…} connects to 127.0.0.1 at that port and sends the name
 * in {@code Host} (the tests' JVM runs with {@code jdk.httpclient.allowRestrictedHeaders=host}).
 * A {@link Browser} keeps cookies per host and sends {@code Accept: text/html}.
 */
public final class GatewayClient {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    private GatewayClient() {
    }

    public record Answer(int status, String body, Map<String, List<String>> headers) {
        public Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst();
        }

        public String location() {
            return header("Location").orElse(null);
        }
    }

    /** One request; {@code headers} may hold anything but Host, which comes from the URL. */
    public static Answer send(String method, String url, Map<String, String> headers, byte[] body) throws IOException, InterruptedException {
        URI uri = URI.create(url);
        String host = uri.getHost();
        boolean local = host.endsWith(".localhost");
        URI target = local ? URI.create(uri.getScheme() + "://127.0.0.1:" + uri.getPort() + uri.getRawPath()
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())) : uri;
        HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (local) {
            request.header("Host", host + (uri.getPort() > 0 ? ":" + uri.getPort() : ""));
        }
        headers.forEach(request::header);
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body(), response.headers().map());
    }

    public static Answer get(String url, String bearer) throws IOException, InterruptedException {
        return send("GET", url, bearer == null ? Map.of() : Map.of("Authorization", "Bearer " + bearer), null);
    }

    /** The status of a GET with the bearer token, or -1 when nothing answers. */
    public static int status(String url, String bearer) throws InterruptedException {
        try {
            return get(url, bearer).status();
        } catch (IOException e) {
            return -1;
        }
    }

    /** A browser: cookies per host, {@code Accept: text/html}, redirects followed only when asked. */
    public static final class Browser {
        private final Map<String, Map<String, String>> cookies = new HashMap<>();

        public Answer get(String url, Map<String, String> extraHeaders) throws IOException, InterruptedException {
            return request("GET", url, extraHeaders, null);
        }

        public Answer get(String url) throws IOException, InterruptedException {
            return get(url, Map.of());
        }

        public Answer request(String method, String url, Map<String, String> extraHeaders, byte[] body) throws IOException, InterruptedException {
            Map<String, String> headers = new LinkedHashMap<>(extraHeaders);
            headers.putIfAbsent("Accept", "text/html,application/xhtml+xml");
            String host = URI.create(url).getHost();
            Map<String, String> jar = cookies.getOrDefault(host, Map.of());
            if (!jar.isEmpty()) {
                headers.put("Cookie", String.join("; ", jar.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
            }
            Answer answer = send(method, url, headers, body);
            for (String setCookie : answer.headers().getOrDefault("set-cookie", List.of())) {
                String pair = setCookie.split(";", 2)[0];
                int eq = pair.indexOf('=');
                String name = pair.substring(0, eq).trim();
                String value = pair.substring(eq + 1).trim();
                boolean expired = setCookie.toLowerCase().contains("max-age=0") || value.isEmpty();
                Map<String, String> hostJar = cookies.computeIfAbsent(host, h -> new LinkedHashMap<>());
                if (expired) {
                    hostJar.remove(name);
                } else {
                    hostJar.put(name, value);
                }
            }
            return answer;
        }

        /** Follows redirects (across hosts, as a browser does) from {@code url}; returns the last answer. */
        public Answer follow(String url) throws IOException, InterruptedException {
            String current = url;
            for (int i = 0; i < 10; i++) {
                Answer answer = get(current);
                if (answer.status() / 100 != 3 || answer.location() == null) {
                    return answer;
                }
                current = URI.create(current).resolve(answer.location()).toString();
            }
            throw new IllegalStateException("more than 10 redirects from " + url);
        }

        /**
         * Opens {@code url}, which sends a signed-out browser to the sign-in page, signs in there with the
         * form, and follows the way back; returns the answer at the end.
         */
        public Answer signIn(String url, String email, String password) throws IOException, InterruptedException {
            Answer first = get(url);
            if (first.status() != 302 || first.location() == null || !first.location().contains("/gateway/sign-in")) {
                throw new IllegalStateException("expected a redirect to the sign-in page from " + url + ", got " + first.status()
                        + " " + first.location() + ": " + first.body());
            }
            String signIn = URI.create(url).resolve(first.location()).toString();
            Answer form = get(signIn);
            if (form.status() != 200) {
                throw new IllegalStateException("the sign-in page answered " + form.status() + ": " + form.body());
            }
            String to = URI.create(signIn).getRawQuery().replaceFirst("^.*?(?:^|&)to=([^&]*).*$", "$1");
            java.util.regex.Matcher token = java.util.regex.Pattern.compile("name=\"form\" value=\"([^\"]+)\"").matcher(form.body());
            if (!token.find()) {
                throw new IllegalStateException("the sign-in page has no form token: " + form.body());
            }
            String fields = "email=" + enc(email) + "&password=" + enc(password) + "&to=" + to + "&form=" + enc(token.group(1));
            Answer posted = request("POST", signIn.substring(0, signIn.indexOf('?')),
                    Map.of("Content-Type", "application/x-www-form-urlencoded"), fields.getBytes(StandardCharsets.UTF_8));
            if (posted.status() / 100 != 3) {
                return posted;
            }
            return follow(URI.create(signIn).resolve(posted.location()).toString());
        }

        public void forget(String host) {
            cookies.remove(host);
        }

        public Map<String, String> cookiesOf(String host) {
            return Map.copyOf(cookies.getOrDefault(host, Map.of()));
        }

        private static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }
    }
}
