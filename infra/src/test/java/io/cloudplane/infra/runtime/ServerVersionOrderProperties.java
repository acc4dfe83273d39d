package io.cloudplane.infra.runtime;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Server version strings come from the operator's catalog and from update requests; whether an
 * update is a downgrade, and which version is the newest, rest on {@link ServerCatalog#compare}.
 * It must be an order whatever the strings: reflexive, antisymmetric and transitive, or "newest"
 * depends on the order the catalog lists its versions in.
 */
class ServerVersionOrderProperties {
    @Provide
    Arbitrary<String> versions() {
        Arbitrary<String> part = Arbitraries.oneOf(Arbitraries.integers().between(0, 20).map(String::valueOf),
                Arbitraries.of("0", "00", "010", "1a", "a", "rc1", "beta", "", "9999999999", "10000000000"),
                Arbitraries.strings().withChars("0123456789abz").ofMaxLength(3));
        return part.list().ofMinSize(1).ofMaxSize(4).flatMap(parts -> Arbitraries.of(".", "-").list().ofSize(parts.size())
                .map(separators -> {
                    StringBuilder version = new StringBuilder(parts.get(0));
                    for (int i = 1; i < parts.size(); i++) {
                        version.append(separators.get(i)).append(parts.get(i));
                    }
                    return version.toString();
                }));
    }

    @Property(tries = 2000)
    void compareIsAnOrder(@ForAll("versions") String a, @ForAll("versions") String b, @ForAll("versions") String c) {
        assertEquals(0, ServerCatalog.compare(a, a), a);
        assertEquals(Integer.signum(ServerCatalog.compare(a, b)), -Integer.signum(ServerCatalog.compare(b, a)), a + " vs " + b);
        if (ServerCatalog.compare(a, b) <= 0 && ServerCatalog.compare(b, c) <= 0) {
            assertTrue(ServerCatalog.compare(a, c) <= 0, a + " <= " + b + " <= " + c + " but not " + a + " <= " + c);
        }
    }

    @Property
    void numericPartsCompareAsNumbers(@ForAll("small") int x, @ForAll("small") int y) {
        assertEquals(Integer.signum(Integer.compare(x, y)), Integer.signum(ServerCatalog.compare("1." + x + ".0", "1." + y + ".0")));
    }

    @Provide
    Arbitrary<Integer> small() {
        return Arbitraries.integers().between(0, 100_000);
    }
}
