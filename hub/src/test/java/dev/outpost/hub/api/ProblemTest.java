package dev.outpost.hub.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProblemTest {
    private final ProblemResponseProcessor processor = new ProblemResponseProcessor(8192, 16384);

    @Test
    void apiExceptionsBecomeTheirOwnProblem() {
        ApiException e = ApiException.invalid(List.of(new Problem.FieldError("/name", "is required"),
                new Problem.FieldError("/cloud", "must be one of aws, azure, gcp, other")));
        MutableHttpResponse<Problem> response = processor.processResponse(
                ErrorContext.builder(HttpRequest.GET("/x")).cause(e).build(), HttpResponse.status(e.status()));

        Problem problem = response.body();
        assertThat(response.getContentType()).hasValueSatisfying(t -> assertThat(t.toString()).isEqualTo(Problem.CONTENT_TYPE));
        assertThat(problem.status()).isEqualTo(400);
        assertThat(problem.type()).isEqualTo("https://outpost.dev/problems/bad-request");
        assertThat(problem.detail()).isEqualTo("2 fields are invalid");
        assertThat(problem.errors()).extracting(Problem.FieldError::field).containsExactly("/name", "/cloud");
    }

    @Test
    void serverErrorsNeverShowTheirCause() {
        IllegalStateException secret = new IllegalStateException("password=hunter2 at db.internal");
        Problem problem = processor.processResponse(
                ErrorContext.builder(HttpRequest.GET("/x")).cause(secret).errorMessage(secret.getMessage()).build(),
                HttpResponse.status(HttpStatus.INTERNAL_SERVER_ERROR)).body();

        assertThat(problem.status()).isEqualTo(500);
        assertThat(problem.detail()).isEqualTo(ProblemResponseProcessor.INTERNAL_DETAIL).doesNotContain("hunter2");
    }

    @Test
    void unreadableJsonIsDescribedWithoutJavaNames() throws Exception {
        Exception truncated = catchJson("{\"name\": \"bro", Named.class);
        Exception wrongType = catchJson("{\"count\": \"many\"}", Counted.class);

        assertThat(ProblemResponseProcessor.jsonProblem(truncated)).hasValueSatisfying(d ->
                assertThat(d).startsWith("request body is not valid JSON: ").contains("line 1").doesNotContain("dev.outpost"));
        assertThat(ProblemResponseProcessor.jsonProblem(wrongType)).hasValueSatisfying(d ->
                assertThat(d).startsWith("request body is not valid JSON").doesNotContain("dev.outpost", "`", "Counted"));
        assertThat(ProblemResponseProcessor.jsonProblem(new IllegalArgumentException("x"))).isEmpty();
    }

    @Test
    void emptyErrorListsAreLeftOutOfTheDocument() throws Exception {
        String json = new ObjectMapper().writeValueAsString(Problem.of(HttpStatus.NOT_FOUND, "release r not found"));
        assertThat(json).contains("\"type\":\"https://outpost.dev/problems/not-found\"", "\"title\":\"Not Found\"",
                "\"status\":404").doesNotContain("errors");
    }

    @Test
    void tooLongRequestLinesAndHeadersAre414And431() {
        assertThat(ProblemResponseProcessor.tooLong(new TooLongHttpLineException("An HTTP line is larger than 8192 bytes."),
                8192, 16384)).hasValueSatisfying(p -> {
                    assertThat(p.status()).isEqualTo(414);
                    assertThat(p.detail()).contains("8192 bytes").doesNotContain("HTTP line");
                });
        assertThat(ProblemResponseProcessor.tooLong(new TooLongHttpHeaderException("HTTP header is larger than 16384 bytes."),
                8192, 16384)).hasValueSatisfying(p -> assertThat(p.status()).isEqualTo(431));
        assertThat(ProblemResponseProcessor.tooLong(new TooLongHttpContentException("too long"), 8192, 16384)).isEmpty();
    }

    @Test
    void syntaxProblemsAreToldInTheHubsWords() {
        assertThat(ProblemResponseProcessor.syntaxMessage("Unexpected end-of-input in VALUE_STRING\n at [Source: REDACTED "
                + "(`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 14]"))
                .isEqualTo("it ends before the JSON value is complete");
        assertThat(ProblemResponseProcessor.syntaxMessage("Unexpected character ('n' (code 110)): was expecting "
                + "double-quote to start field name")).isEqualTo("unexpected character 'n'");
        assertThat(ProblemResponseProcessor.syntaxMessage("Unexpected character ((CTRL-CHAR, code 7)): expected a value"))
                .isEqualTo("unexpected character U+0007");
        assertThat(ProblemResponseProcessor.syntaxMessage("Duplicate field 'name'"))
                .isEqualTo("field 'name' appears more than once");
        assertThat(ProblemResponseProcessor.syntaxMessage("Unrecognized token 'x': was expecting (JSON String, Number, "
                + "Array, Object or token 'null', 'true' or 'false')"))
                .isEqualTo("unrecognized token 'x' (strings need double quotes)");
        assertThat(ProblemResponseProcessor.syntaxMessage("Cannot construct `java.util.LinkedHashMap`"))
                .isEqualTo("it cannot be parsed");
        assertThat(ProblemResponseProcessor.syntaxMessage(null)).isEqualTo("it cannot be parsed");
    }

    record Named(String name) {
    }

    record Counted(int count) {
    }

    private static Exception catchJson(String json, Class<?> type) {
        try {
            new ObjectMapper().readValue(json, type);
            throw new AssertionError("expected " + json + " to be refused");
        } catch (Exception e) {
            return new RuntimeException("wrapped as Micronaut does", e);
        }
    }
}
