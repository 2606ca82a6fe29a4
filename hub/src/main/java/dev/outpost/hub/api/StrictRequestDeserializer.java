package dev.outpost.hub.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import java.io.IOException;

/** Jackson's entry to {@link RequestBinder} for records marked {@link StrictRequest}. */
public final class StrictRequestDeserializer extends JsonDeserializer<Record> implements ContextualDeserializer {
    private final Class<? extends Record> type;

    /** Jackson creates it like this, then asks {@link #createContextual} for one bound to the record type. */
    public StrictRequestDeserializer() {
        this(null);
    }

    private StrictRequestDeserializer(Class<? extends Record> type) {
        this.type = type;
    }

    @Override
    public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property) {
        Class<?> raw = ctxt.getContextualType().getRawClass();
        if (!raw.isRecord()) {
            throw new IllegalStateException("@StrictRequest is for records, not " + raw.getName());
        }
        return new StrictRequestDeserializer(raw.asSubclass(Record.class));
    }

    @Override
    public Record deserialize(JsonParser parser, DeserializationContext ctxt) throws IOException {
        return RequestBinder.bind(ctxt.readTree(parser), type);
    }

    /** A body of JSON {@code null} is not a request: refused like {@code [1]}. */
    @Override
    public Record getNullValue(DeserializationContext ctxt) {
        throw RequestBinder.notAnObject(null);
    }
}
