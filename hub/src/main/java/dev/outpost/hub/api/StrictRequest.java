package dev.outpost.hub.api;

import com.fasterxml.jackson.annotation.JacksonAnnotationsInside;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a record as a REST request body: Jackson binds it through {@link RequestBinder} (no
 * coercion, unknown fields refused, every problem listed with its JSON pointer).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@JacksonAnnotationsInside
@JsonDeserialize(using = StrictRequestDeserializer.class)
public @interface StrictRequest {
}
