package io.cloudplane.api.common;

import io.micronaut.context.annotation.Primary;
import io.micronaut.core.type.Argument;
import io.micronaut.json.tree.JsonNode;
import io.micronaut.serde.Decoder;
import io.micronaut.serde.Deserializer;
import io.micronaut.serde.exceptions.InvalidFormatException;
import jakarta.inject.Singleton;

import java.io.IOException;

/**
 * JSON is strictly typed for every body the API reads: a string field takes a JSON string, a
 * number field a JSON number, a boolean field {@code true} or {@code false}. Micronaut Serde 2
 * coerces between them ({@code {"description": 5}} reads as "5", {@code {"count": "5"}} as 5, an
 * object as its text), which hides a client's bugs and lets a wrong body change things. These
 * deserializers replace Serde's own ({@link Primary}) for String, Integer, Long and Boolean (the
 * scalar types of request bodies; an enum or a UUID is read from a string and refuses anything
 * else already); a mismatch fails the read, which {@code ProblemHandlers} answers with a 400
 * naming the field. A string holding U+0000 is refused too: PostgreSQL cannot store it, so it
 * would otherwise end as a 500 where a row is written.
 * (Serde 3 has a setting for this, {@code micronaut.serde.deserialization} coercions; Micronaut 4
 * ships Serde 2.)
 */
public final class StrictJsonScalars {
    private StrictJsonScalars() {
    }

    /** The JSON value, read whole (an object or array too, so that the parser moves past it). */
    private static JsonNode read(Decoder decoder) throws IOException {
        return decoder.decodeNode();
    }

    /**
     * An {@link InvalidFormatException}: Serde's object deserializer wraps it with the property it
     * was reading, which is how the problem names the field.
     */
    private static InvalidFormatException mismatch(String expected, JsonNode found) {
        return invalid("must be " + expected + ", not " + describe(found), found);
    }

    private static InvalidFormatException invalid(String message, JsonNode found) {
        return new InvalidFormatException(message, new IllegalArgumentException(message), found);
    }

    static String describe(JsonNode node) {
        if (node.isString()) {
            return "a string";
        } else if (node.isNumber()) {
            return "a number";
        } else if (node.isBoolean()) {
            return "a boolean";
        } else if (node.isArray()) {
            return "an array";
        } else if (node.isObject()) {
            return "an object";
        }
        return "null";
    }

    @Singleton
    @Primary
    public static final class Strings implements Deserializer<String> {
        @Override
        public String deserialize(Decoder decoder, DecoderContext context, Argument<? super String> type) throws IOException {
            JsonNode node = read(decoder);
            if (!node.isString()) {
                throw mismatch("a string", node);
            }
            String text = node.getStringValue();
            // PostgreSQL's text cannot hold U+0000, and no field of this API has a use for it.
            if (text.indexOf('\0') >= 0) {
                throw invalid("must not contain the NUL character (U+0000)", node);
            }
            return text;
        }

        @Override
        public String deserializeNullable(Decoder decoder, DecoderContext context, Argument<? super String> type) throws IOException {
            return decoder.decodeNull() ? null : deserialize(decoder, context, type);
        }
    }

    /** A JSON number without a fraction that fits {@code bits} bits, or a mismatch. */
    private static Number wholeNumber(JsonNode node, int bits) throws InvalidFormatException {
        if (!node.isNumber()) {
            throw mismatch("a whole number", node);
        }
        Number n = node.getNumberValue();
        boolean whole = n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte
                || n instanceof java.math.BigInteger;
        if (!whole || new java.math.BigInteger(n.toString()).bitLength() >= bits) {
            throw invalid("must be a whole number of at most " + bits + " bits, not " + n, node);
        }
        return n;
    }

    @Singleton
    @Primary
    public static final class Integers implements Deserializer<Integer> {
        @Override
        public Integer deserialize(Decoder decoder, DecoderContext context, Argument<? super Integer> type) throws IOException {
            return wholeNumber(read(decoder), Integer.SIZE).intValue();
        }

        @Override
        public Integer deserializeNullable(Decoder decoder, DecoderContext context, Argument<? super Integer> type) throws IOException {
            return decoder.decodeNull() ? null : deserialize(decoder, context, type);
        }
    }

    @Singleton
    @Primary
    public static final class Longs implements Deserializer<Long> {
        @Override
        public Long deserialize(Decoder decoder, DecoderContext context, Argument<? super Long> type) throws IOException {
            return wholeNumber(read(decoder), Long.SIZE).longValue();
        }

        @Override
        public Long deserializeNullable(Decoder decoder, DecoderContext context, Argument<? super Long> type) throws IOException {
            return decoder.decodeNull() ? null : deserialize(decoder, context, type);
        }
    }

    @Singleton
    @Primary
    public static final class Booleans implements Deserializer<Boolean> {
        @Override
        public Boolean deserialize(Decoder decoder, DecoderContext context, Argument<? super Boolean> type) throws IOException {
            JsonNode node = read(decoder);
            if (!node.isBoolean()) {
                throw mismatch("true or false", node);
            }
            return node.getBooleanValue();
        }

        @Override
        public Boolean deserializeNullable(Decoder decoder, DecoderContext context, Argument<? super Boolean> type) throws IOException {
            return decoder.decodeNull() ? null : deserialize(decoder, context, type);
        }
    }
}
