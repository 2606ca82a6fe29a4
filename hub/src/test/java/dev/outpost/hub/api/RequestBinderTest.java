package dev.outpost.hub.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestBinderTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @StrictRequest
    record Sample(String name, @Schema(minimum = "1", maximum = "100") Integer uses, @Schema(minimum = "1") Long ttl,
                  Map<String, String> parameters) {
    }

    record Unsupported(List<Integer> names) {
    }

    record Listed(List<String> ids) {
    }

    @Test
    void bindsValuesOfTheRightTypeAndTakesNullAsNotGiven() {
        Sample sample = bind("{\"name\":\"acme\",\"uses\":100,\"ttl\":9223372036854775807,\"parameters\":{\"a\":\"1\"}}");
        assertThat(sample).isEqualTo(new Sample("acme", 100, Long.MAX_VALUE, Map.of("a", "1")));
        assertThat(bind("{\"name\":null,\"uses\":null}")).isEqualTo(new Sample(null, null, null, null));
        assertThat(bind("{}")).isEqualTo(new Sample(null, null, null, null));
    }

    @Test
    void coercesNothing() {
        assertThat(errors("{\"name\":123}")).containsExactly(error("/name", "must be a string (got an integer)"));
        assertThat(errors("{\"name\":true}")).containsExactly(error("/name", "must be a string (got a boolean)"));
        assertThat(errors("{\"name\":[\"a\"]}")).containsExactly(error("/name", "must be a string (got an array)"));
        assertThat(errors("{\"uses\":\"7\"}")).containsExactly(error("/uses", "must be an integer from 1 to 100 (got a string)"));
        assertThat(errors("{\"uses\":[3]}")).containsExactly(error("/uses", "must be an integer from 1 to 100 (got an array)"));
        assertThat(errors("{\"uses\":2.9}")).containsExactly(
                error("/uses", "must be an integer from 1 to 100 (got a number with a fraction or exponent)"));
        assertThat(errors("{\"uses\":2.0}")).hasSize(1);
        assertThat(errors("{\"ttl\":\"600\"}")).containsExactly(error("/ttl", "must be an integer of at least 1 (got a string)"));
        assertThat(errors("{\"parameters\":{\"replicas\":2}}")).containsExactly(
                error("/parameters/replicas", "must be a string (got an integer)"));
        assertThat(errors("{\"parameters\":[]}")).containsExactly(
                error("/parameters", "must be an object whose values are strings (got an array)"));
    }

    @Test
    void refusesIntegersOutsideTheDeclaredRangeOrTheJavaType() {
        assertThat(errors("{\"uses\":2147483648}")).containsExactly(error("/uses", "must be an integer from 1 to 100"));
        assertThat(errors("{\"uses\":0}")).containsExactly(error("/uses", "must be an integer from 1 to 100"));
        assertThat(errors("{\"ttl\":9223372036854775808}")).containsExactly(
                error("/ttl", "must be an integer from 1 to 9223372036854775807"));
    }

    @Test
    void refusesUnknownFieldsAndListsEveryProblem() {
        assertThat(errors("{\"nam\":\"x\",\"uses\":\"1\",\"parameters\":{\"a\":1,\"b/c\":null}}")).containsExactlyInAnyOrder(
                error("/nam", "is not a field of this request (its fields: name, uses, ttl, parameters)"),
                error("/uses", "must be an integer from 1 to 100 (got a string)"),
                error("/parameters/a", "must be a string (got an integer)"),
                error("/parameters/b~1c", "must be a string (got null)"));
    }

    @Test
    void refusesBodiesThatAreNotObjects() throws Exception {
        for (String body : List.of("[1]", "\"x\"", "1", "null")) {
            ApiException e = catchThrowableOfType(ApiException.class, () -> RequestBinder.bind(JSON.readTree(body), Sample.class));
            assertThat(e.getMessage()).startsWith("request body must be a JSON object (got ");
            assertThat(e.errors()).extracting(Problem.FieldError::field).containsExactly("");
        }
    }

    @Test
    void jacksonBindsMarkedRecordsThroughTheBinder() throws Exception {
        assertThat(JSON.readValue("{\"name\":\"a\"}", Sample.class)).isEqualTo(new Sample("a", null, null, null));
        assertThatThrownBy(() -> JSON.readValue("{\"name\":1}", Sample.class)).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> JSON.readValue("null", Sample.class)).isInstanceOf(ApiException.class)
                .hasMessage("request body must be a JSON object (got null)");
    }

    @Test
    void pointersAreEscapedAsRfc6901Asks() {
        assertThat(RequestBinder.pointer("", "a/b~c")).isEqualTo("/a~1b~0c");
        assertThat(RequestBinder.pointer("/parameters", "x")).isEqualTo("/parameters/x");
    }

    @Test
    void aFieldTypeTheBinderDoesNotHandleFailsLoudly() {
        assertThatThrownBy(() -> RequestBinder.bind(JSON.readTree("{\"names\":[1]}"), Unsupported.class))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("names");
    }

    @Test
    void aListOfStringsTakesOnlyStringsAndNamesEachWrongItem() throws Exception {
        assertThat(RequestBinder.bind(JSON.readTree("{\"ids\":[\"a\",\"b\"]}"), Listed.class))
                .isEqualTo(new Listed(List.of("a", "b")));
        ApiException items = catchThrowableOfType(ApiException.class,
                () -> RequestBinder.bind(JSON.readTree("{\"ids\":[\"a\",1,null]}"), Listed.class));
        assertThat(items.errors()).containsExactly(error("/ids/1", "must be a string (got an integer)"),
                error("/ids/2", "must be a string (got null)"));
        ApiException notAList = catchThrowableOfType(ApiException.class,
                () -> RequestBinder.bind(JSON.readTree("{\"ids\":\"a\"}"), Listed.class));
        assertThat(notAList.errors()).containsExactly(error("/ids", "must be an array of strings (got a string)"));
    }

    private static Sample bind(String json) {
        try {
            return RequestBinder.bind(JSON.readTree(json), Sample.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Problem.FieldError> errors(String json) {
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return catchThrowableOfType(ApiException.class, () -> RequestBinder.bind(tree, Sample.class)).errors();
    }

    private static Problem.FieldError error(String field, String message) {
        return new Problem.FieldError(field, message);
    }
}
