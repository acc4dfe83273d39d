package io.cloudplane.infra.runtime;

import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import static io.cloudplane.infra.Generators.qt;
import static io.cloudplane.infra.Generators.textOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * Server version strings come from the operator's catalog and from update requests; whether an
 * update is a downgrade, and which version is the newest, rest on {@link ServerCatalog#compare}.
 * It must be an order whatever the strings: reflexive, antisymmetric and transitive, or "newest"
 * depends on the order the catalog lists its versions in.
 */
class ServerVersionOrderProperties {



    /** One to four parts (numbers, near-numbers, words), each after the first behind a '.' or a '-'. */
    static Gen<String> versions() {
        Gen<String> part = Generate.oneOf(integers().between(0, 20).map(n -> Integer.toString(n)),
                arbitrary().pick("0", "00", "010", "1a", "a", "rc1", "beta", "", "9999999999", "10000000000"),
                textOf("0123456789abz", 0, 3));
        return lists().of(part).ofSizeBetween(1, 4).zip(lists().of(arbitrary().pick(".", "-")).ofSize(4), (parts, separators) -> {
            StringBuilder version = new StringBuilder(parts.get(0));
            for (int i = 1; i < parts.size(); i++) {
                version.append(separators.get(i)).append(parts.get(i));
            }
            return version.toString();
        });
    }

    @Test
    void compareIsAnOrder() {
        qt(2000).forAll(versions(), versions(), versions()).checkAssert((a, b, c) -> {
            assertEquals(0, ServerCatalog.compare(a, a), a);
            assertEquals(Integer.signum(ServerCatalog.compare(a, b)), -Integer.signum(ServerCatalog.compare(b, a)), a + " vs " + b);
            if (ServerCatalog.compare(a, b) <= 0 && ServerCatalog.compare(b, c) <= 0) {
                assertTrue(ServerCatalog.compare(a, c) <= 0, a + " <= " + b + " <= " + c + " but not " + a + " <= " + c);
            }
        });
    }

    @Test
    void numericPartsCompareAsNumbers() {
        qt(1000).forAll(integers().between(0, 100_000), integers().between(0, 100_000)).checkAssert((x, y) ->
                assertEquals(Integer.signum(Integer.compare(x, y)), Integer.signum(ServerCatalog.compare("1." + x + ".0", "1." + y + ".0"))));
    }
}
