package io.cloudplane.infra.domain;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PebbleServersTest {

    @Test
    void servesTheRecordsSetOverUdpAndTcpThePebbleRootAndStopsOnClose() throws Exception {
        int directoryPort;
        try (PebbleServers pebble = PebbleServers.start(PebbleServers.freePort())) {
            SimpleResolver udp = resolver(pebble, false);
            SimpleResolver tcp = resolver(pebble, true);
            assertEquals(List.of(), answers(udp, "shop.example.com", Type.A), "no default address");

            pebble.addA("shop.example.com", "192.0.2.10");
            pebble.setTxt("_cloudplane-challenge.shop.example.com", "cp-1");
            pebble.setTxt("_cloudplane-challenge.shop.example.com", "cp-2");
            for (SimpleResolver resolver : List.of(udp, tcp)) {
                assertEquals(List.of("192.0.2.10"), answers(resolver, "shop.example.com", Type.A));
                assertEquals(List.of("\"cp-2\""), answers(resolver, "_cloudplane-challenge.shop.example.com", Type.TXT));
            }
            pebble.setServfail("broken.example.com");
            assertEquals(Rcode.SERVFAIL, udp.send(Message.newQuery(Record.newRecord(Name.fromString("broken.example.com."), Type.TXT, DClass.IN))).getRcode());

            String root = pebble.roots();
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(root.getBytes(StandardCharsets.US_ASCII)));
            assertTrue(certificate.getSubjectX500Principal().getName().contains("Pebble Root CA"), certificate.getSubjectX500Principal().getName());

            // the directory answers over HTTPS with the CA of trustPemFile()
            directoryPort = URI.create(pebble.directoryUrl()).getPort();
            HttpClient client = HttpClient.newBuilder().sslContext(TrustFiles.sslContext(pebble.trustPemFile())).build();
            HttpResponse<String> directory = client.send(HttpRequest.newBuilder(URI.create(pebble.directoryUrl())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, directory.statusCode());
            assertTrue(directory.body().contains("newOrder"), directory.body());
        }
        try (Socket socket = new Socket()) {
            assertThrows(java.io.IOException.class, () -> socket.connect(new InetSocketAddress("127.0.0.1", directoryPort), 500));
        }
    }

    private static SimpleResolver resolver(PebbleServers pebble, boolean tcp) throws Exception {
        String[] hostPort = pebble.dnsResolver().split(":");
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])));
        resolver.setTCP(tcp);
        resolver.setTimeout(Duration.ofSeconds(2));
        return resolver;
    }

    private static List<String> answers(SimpleResolver resolver, String name, int type) throws Exception {
        Message response = resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name + "."), type, DClass.IN)));
        return response.getSection(Section.ANSWER).stream().map(r -> r.rdataToString()).toList();
    }
}
