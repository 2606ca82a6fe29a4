package dev.outpost.hub.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.annotations.media.Schema;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binds a JSON request body to a request record without any coercion, listing every problem at once
 * with its JSON pointer: a string field takes only a JSON string, an integer field only an integer
 * literal (no fraction, exponent, quotes or array around it) within the range its {@link Schema}
 * states, a {@code Map<String, String>} field only an object of strings, a {@code Map<String, Object>}
 * field any object (its values as plain Java values); a field the record does not
 * have is refused, so a typo is not silently dropped. JSON {@code null} means "not given".
 *
 * <p>It checks the shape of the request only; what the values mean (names, ids, limits that depend on
 * configuration) is the services' part, through {@link Validation}.
 */
public final class RequestBinder {
    private RequestBinder() {
    }

    /**
     * The record {@code type} holds for {@code body}; throws a 400 {@link ApiException} listing every
     * field that does not fit.
     */
    public static <T extends Record> T bind(JsonNode body, Class<T> type) {
        if (body == null || !body.isObject()) {
            throw notAnObject(body);
        }
        RecordComponent[] components = type.getRecordComponents();
        List<Problem.FieldError> errors = new ArrayList<>();
        Set<String> known = Set.copyOf(known(components));
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                errors.add(new Problem.FieldError(pointer("", name),
                        "is not a field of this request (its fields: " + String.join(", ", known(components)) + ")"));
            }
        }
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent component = components[i];
            JsonNode value = body.get(component.getName());
            if (value != null && !value.isNull()) {
                values[i] = convert(type, component, value, pointer("", component.getName()), errors);
            }
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        return construct(type, components, values);
    }

    private static List<String> known(RecordComponent[] components) {
        return Arrays.stream(components).map(RecordComponent::getName).toList();
    }

    /** The 400 for a body that is not a JSON object ({@code [1]}, {@code "x"}, {@code null}). */
    public static ApiException notAnObject(JsonNode body) {
        String got = body == null ? "null" : kind(body);
        return new ApiException(io.micronaut.http.HttpStatus.BAD_REQUEST,
                "request body must be a JSON object (got " + got + ")",
                List.of(new Problem.FieldError("", "must be a JSON object (got " + got + ")")));
    }

    /** {@code parent} extended by one step, escaped as RFC 6901 asks ("~" as "~0", "/" as "~1"). */
    public static String pointer(String parent, String name) {
        return parent + "/" + name.replace("~", "~0").replace("/", "~1");
    }

    private static Object convert(Class<?> owner, RecordComponent component, JsonNode value, String pointer,
                                  List<Problem.FieldError> errors) {
        Class<?> type = component.getType();
        if (type == String.class) {
            return text(value, pointer, errors);
        }
        if (type == Integer.class || type == Long.class) {
            IntegerRange range = IntegerRange.of(owner, component);
            BigInteger number = integer(value, pointer, range, errors);
            if (number == null) {
                return null;
            }
            return type == Integer.class ? (Object) number.intValueExact() : (Object) number.longValueExact();
        }
        if (type == Map.class && isStringMap(component.getGenericType())) {
            return stringMap(value, pointer, errors);
        }
        if (type == Map.class && isJsonMap(component.getGenericType())) {
            if (!value.isObject()) {
                // the same words as for a string map: for a manifests release it is one
                errors.add(new Problem.FieldError(pointer, "must be an object whose values are strings, or any JSON "
                        + "values for a package release (got " + kind(value) + ")"));
                return null;
            }
            return jsonValue(value);
        }
        if (type == List.class && isStringList(component.getGenericType())) {
            return stringList(value, pointer, errors);
        }
        throw new IllegalStateException("request record " + owner.getSimpleName() + " has a field of a type the binder "
                + "does not handle: " + component.getName() + " " + component.getGenericType());
    }

    private static String text(JsonNode value, String pointer, List<Problem.FieldError> errors) {
        if (!value.isTextual()) {
            errors.add(new Problem.FieldError(pointer, "must be a string (got " + kind(value) + ")"));
            return null;
        }
        return value.textValue();
    }

    private static BigInteger integer(JsonNode value, String pointer, IntegerRange range,
                                      List<Problem.FieldError> errors) {
        if (!value.isIntegralNumber()) {
            errors.add(new Problem.FieldError(pointer, range.describeDeclared() + " (got " + kind(value) + ")"));
            return null;
        }
        BigInteger number = value.bigIntegerValue();
        if (!range.contains(number)) {
            errors.add(new Problem.FieldError(pointer, range.describe()));
            return null;
        }
        return number;
    }

    private static Map<String, String> stringMap(JsonNode value, String pointer, List<Problem.FieldError> errors) {
        if (!value.isObject()) {
            errors.add(new Problem.FieldError(pointer,
                    "must be an object whose values are strings (got " + kind(value) + ")"));
            return null;
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : value.properties()) {
            if (entry.getValue().isTextual()) {
                map.put(entry.getKey(), entry.getValue().textValue());
            } else {
                errors.add(new Problem.FieldError(pointer(pointer, entry.getKey()),
                        "must be a string (got " + kind(entry.getValue()) + ")"));
            }
        }
        return map;
    }

    private static List<String> stringList(JsonNode value, String pointer, List<Problem.FieldError> errors) {
        if (!value.isArray()) {
            errors.add(new Problem.FieldError(pointer, "must be an array of strings (got " + kind(value) + ")"));
            return null;
        }
        List<String> list = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            list.add(text(value.get(i), pointer(pointer, Integer.toString(i)), errors));
        }
        return list;
    }

    /** A JSON value as plain Java: String, Long/BigInteger, BigDecimal, Boolean, List, LinkedHashMap or null. */
    private static Object jsonValue(JsonNode value) {
        return switch (value.getNodeType()) {
            case STRING -> value.textValue();
            case NUMBER -> value.isIntegralNumber()
                    ? (value.canConvertToLong() ? (Object) value.longValue() : value.bigIntegerValue())
                    : value.decimalValue();
            case BOOLEAN -> value.booleanValue();
            case ARRAY -> {
                List<Object> list = new ArrayList<>();
                value.forEach(item -> list.add(jsonValue(item)));
                yield list;
            }
            case OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                value.properties().forEach(e -> map.put(e.getKey(), jsonValue(e.getValue())));
                yield map;
            }
            default -> null;
        };
    }

    /** {@code Map<String, Object>}: an object whose values may be any JSON (package parameters). */
    private static boolean isJsonMap(Type type) {
        return type instanceof ParameterizedType map
                && Arrays.equals(map.getActualTypeArguments(), new Type[] {String.class, Object.class});
    }

    private static boolean isStringList(Type type) {
        return type instanceof ParameterizedType list
                && Arrays.equals(list.getActualTypeArguments(), new Type[] {String.class});
    }

    private static boolean isStringMap(Type type) {
        return type instanceof ParameterizedType map
                && Arrays.equals(map.getActualTypeArguments(), new Type[] {String.class, String.class});
    }

    /** What a JSON value is, in words for an error message. */
    static String kind(JsonNode value) {
        return switch (value.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> value.isIntegralNumber() ? "an integer" : "a number with a fraction or exponent";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> "a value of another kind";
        };
    }

    private static <T extends Record> T construct(Class<T> type, RecordComponent[] components, Object[] values) {
        Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        try {
            Constructor<T> constructor = type.getDeclaredConstructor(types);
            constructor.setAccessible(true);
            return constructor.newInstance(values);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime; // e.g. an ApiException from a compact constructor
            }
            throw new IllegalStateException("cannot create " + type.getSimpleName(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + type.getSimpleName(), e);
        }
    }

    /**
     * The integers an integer field takes: its Java type's range, narrowed by the minimum and maximum its
     * {@link Schema} declares (which the OpenAPI document shows too).
     */
    record IntegerRange(BigInteger min, BigInteger max, boolean minDeclared, boolean maxDeclared) {
        static IntegerRange of(Class<?> owner, RecordComponent component) {
            boolean isInt = component.getType() == Integer.class;
            BigInteger min = BigInteger.valueOf(isInt ? Integer.MIN_VALUE : Long.MIN_VALUE);
            BigInteger max = BigInteger.valueOf(isInt ? Integer.MAX_VALUE : Long.MAX_VALUE);
            Schema schema = schema(owner, component);
            boolean minDeclared = schema != null && !schema.minimum().isEmpty();
            boolean maxDeclared = schema != null && !schema.maximum().isEmpty();
            if (minDeclared) {
                min = min.max(new BigInteger(schema.minimum()));
            }
            if (maxDeclared) {
                max = max.min(new BigInteger(schema.maximum()));
            }
            return new IntegerRange(min, max, minDeclared, maxDeclared);
        }

        boolean contains(BigInteger number) {
            return number.compareTo(min) >= 0 && number.compareTo(max) <= 0;
        }

        /** The whole range, for a number outside it. */
        String describe() {
            return "must be an integer from " + min + " to " + max;
        }

        /**
         * The range as declared, for a value that is no integer at all: a bound that only the Java type sets
         * (e.g. a maximum the service takes from configuration) would mislead.
         */
        String describeDeclared() {
            if (minDeclared && maxDeclared) {
                return describe();
            }
            if (minDeclared) {
                return "must be an integer of at least " + min;
            }
            return maxDeclared ? "must be an integer of at most " + max : "must be an integer";
        }

        /** The component's @Schema: record components pass it on to their field. */
        private static Schema schema(Class<?> owner, RecordComponent component) {
            try {
                return owner.getDeclaredField(component.getName()).getAnnotation(Schema.class);
            } catch (NoSuchFieldException e) {
                return null;
            }
        }
    }
}
