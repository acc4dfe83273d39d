package io.cloudplane.api.common;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.micronaut.core.annotation.Order;
import io.micronaut.core.type.Argument;
import io.micronaut.core.type.Headers;
import io.micronaut.core.io.buffer.ByteBuffer;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.body.MessageBodyReader;
import io.micronaut.http.codec.CodecException;
import io.micronaut.json.JsonMapper;
import io.micronaut.json.body.JsonMessageHandler;
import jakarta.inject.Singleton;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A JSON request body is one JSON value and nothing after it. Micronaut's reader stops at the end
 * of the first value, so {@code {} }} or {@code {"name":"a"}{"name":"b"}} passed for the first object:
 * a client's broken or concatenated body was acted on. This reader runs before it ({@link Order})
 * for the same media type, refuses trailing content with a 400, and hands everything else to it
 * unchanged, malformed JSON included, so that its messages stay the same.
 */
@Singleton
@Order(JsonMessageHandler.ORDER - 1)
@Consumes(MediaType.APPLICATION_JSON)
public final class SingleJsonValueReader<T> implements MessageBodyReader<T> {
    private static final JsonFactory FACTORY = new JsonFactory();
    private final JsonMessageHandler<T> json;

    public SingleJsonValueReader(JsonMapper mapper) {
        this.json = new JsonMessageHandler<>(mapper);
    }

    @Override
    public boolean isReadable(Argument<T> type, MediaType mediaType) {
        return json.isReadable(type, mediaType);
    }

    @Override
    public T read(Argument<T> type, MediaType mediaType, Headers headers, ByteBuffer<?> body) throws CodecException {
        return read(type, mediaType, headers, body.toByteArray());
    }

    @Override
    public T read(Argument<T> type, MediaType mediaType, Headers headers, InputStream body) throws CodecException {
        try {
            return read(type, mediaType, headers, body.readAllBytes());
        } catch (IOException e) {
            throw new CodecException("The body could not be read: " + e.getMessage(), e);
        }
    }

    private T read(Argument<T> type, MediaType mediaType, Headers headers, byte[] bytes) {
        if (hasTrailingContent(bytes)) {
            throw new CodecException("The body must be one JSON value, with nothing after it");
        }
        return json.read(type, mediaType, headers, new ByteArrayInputStream(bytes));
    }

    /** True only for a well-formed first value followed by more than whitespace. */
    static boolean hasTrailingContent(byte[] bytes) {
        try (JsonParser parser = FACTORY.createParser(bytes)) {
            if (parser.nextToken() == null) {
                return false;
            }
            parser.skipChildren();
            return parser.nextToken() != null;
        } catch (IOException malformed) {
            // Malformed before, or right after, the first value: Micronaut's reader says what is wrong.
            return !firstValueIsMalformed(bytes);
        }
    }

    private static boolean firstValueIsMalformed(byte[] bytes) {
        try (JsonParser parser = FACTORY.createParser(bytes)) {
            JsonToken first = parser.nextToken();
            parser.skipChildren();
            return first == null;
        } catch (IOException e) {
            return true;
        }
    }
}
