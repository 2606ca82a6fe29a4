package dev.outpost.hub.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.micronaut.http.server.netty.configuration.NettyHttpServerConfiguration;
import io.micronaut.web.router.exceptions.UnsatisfiedBodyRouteException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns every error response Micronaut produces (unknown route, wrong method, malformed JSON, wrong
 * content type, oversized request line or headers, unhandled exception...) and every
 * {@link ApiException} into problem+json. Server errors get a generic detail: their cause goes to the
 * log only, never to the client; neither do Java class names or Jackson's wording.
 */
@Singleton
@Replaces(ErrorResponseProcessor.class)
public class ProblemResponseProcessor implements ErrorResponseProcessor<Problem> {
    static final String INTERNAL_DETAIL = "the hub hit an unexpected error; its log has the details";
    static final String NOT_JSON = "request body is not valid JSON";
    /** What gives away the implementation in a framework message: class names, Jackson's markers. */
    private static final Pattern IMPLEMENTATION_WORDING = Pattern.compile(
            "`|\\b(java|javax|jakarta|io\\.micronaut|com\\.fasterxml|dev\\.outpost)\\."
                    + "|\\$|Exception|JsonToken|\\[Source:");
    /** The first quoted word of a parser message ("Duplicate field 'name'", "Unrecognized token 'x'"). */
    private static final Pattern QUOTED = Pattern.compile("'([^']*)'");
    /** The code of the character a parser message is about ("Unexpected character ('n' (code 110))"). */
    private static final Pattern CHARACTER_CODE = Pattern.compile("code (\\d+)\\)");

    private final int maxInitialLineBytes;
    private final int maxHeaderBytes;

    @Inject
    public ProblemResponseProcessor(NettyHttpServerConfiguration netty) {
        this(netty.getMaxInitialLineLength(), netty.getMaxHeaderSize());
    }

    ProblemResponseProcessor(int maxInitialLineBytes, int maxHeaderBytes) {
        this.maxInitialLineBytes = maxInitialLineBytes;
        this.maxHeaderBytes = maxHeaderBytes;
    }

    @Override
    public MutableHttpResponse<Problem> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        // Jackson and Micronaut may wrap an ApiException that RequestBinder threw while binding a body.
        Optional<ApiException> api = context.getRootCause().flatMap(cause -> cause(cause, ApiException.class));
        if (api.isPresent()) {
            return response.status(api.get().status()).contentType(Problem.CONTENT_TYPE).body(api.get().toProblem());
        }
        Optional<Problem> tooLong = tooLong(context.getRequest(), maxInitialLineBytes, maxHeaderBytes);
        if (tooLong.isPresent()) {
            return response.status(tooLong.get().status()).contentType(Problem.CONTENT_TYPE).body(tooLong.get());
        }
        Problem problem = Problem.of(response.status(), detail(context, response.status()));
        return response.contentType(Problem.CONTENT_TYPE).body(problem);
    }

    /**
     * 414 or 431 for a request Netty refused as too long: Micronaut answers every such request 413, which
     * is meant for a body that is too large.
     */
    static Optional<Problem> tooLong(HttpRequest<?> request, int maxInitialLineBytes, int maxHeaderBytes) {
        if (!(request instanceof NettyHttpRequest<?> netty) || netty.getNativeRequest().decoderResult().isSuccess()) {
            return Optional.empty();
        }
        return tooLong(netty.getNativeRequest().decoderResult().cause(), maxInitialLineBytes, maxHeaderBytes);
    }

    /** The problem for Netty's decoding failure {@code cause}, when it is a line or the headers being too long. */
    static Optional<Problem> tooLong(Throwable cause, int maxInitialLineBytes, int maxHeaderBytes) {
        if (cause instanceof TooLongHttpLineException) {
            return Optional.of(Problem.of(HttpStatus.REQUEST_URI_TOO_LONG, "the request line (method, path and query) "
                    + "is longer than " + maxInitialLineBytes + " bytes"));
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return Optional.of(Problem.of(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "the request headers are larger "
                    + "than " + maxHeaderBytes + " bytes in all"));
        }
        return Optional.empty();
    }

    static String detail(ErrorContext context, HttpStatus status) {
        if (status.getCode() >= 500) {
            return INTERNAL_DETAIL;
        }
        Optional<Throwable> cause = context.getRootCause();
        if (cause.isPresent() && cause(cause.get(), UnsatisfiedBodyRouteException.class).isPresent()) {
            return "request body is required: a JSON object";
        }
        Optional<String> json = cause.flatMap(ProblemResponseProcessor::jsonProblem);
        if (json.isPresent()) {
            return json.get();
        }
        return context.getErrors().stream().map(Error::getMessage).findFirst()
                .filter(message -> !IMPLEMENTATION_WORDING.matcher(message).find())
                .orElse(status.getReason());
    }

    /**
     * Says what is wrong with a request body Jackson could not read, in the hub's words: where the JSON
     * breaks off, or that it exceeds a limit. Problems of fields and types never get here: request records
     * are bound by {@link RequestBinder}, which throws {@link ApiException}s.
     */
    static Optional<String> jsonProblem(Throwable error) {
        Optional<StreamConstraintsException> limit = cause(error, StreamConstraintsException.class);
        if (limit.isPresent()) {
            return Optional.of(NOT_JSON + ": a number, string or nesting depth exceeds the hub's limits");
        }
        Optional<StreamReadException> syntax = cause(error, StreamReadException.class);
        if (syntax.isPresent()) {
            JsonLocation at = syntax.get().getLocation();
            String where = at == null || at.getLineNr() < 1 ? ""
                    : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            return Optional.of(NOT_JSON + ": " + syntaxMessage(syntax.get().getOriginalMessage()) + where);
        }
        return cause(error, JsonProcessingException.class)
                .map(other -> NOT_JSON + ": it must be exactly one JSON object");
    }

    /**
     * What is wrong with the JSON, in the hub's words, from Jackson's syntax message (which names its
     * tokens and features); "it cannot be parsed" for a message it does not recognise.
     */
    static String syntaxMessage(String original) {
        String message = original == null ? "" : original.lines().findFirst().orElse("");
        Matcher quoted = QUOTED.matcher(message);
        String what = quoted.find() ? shortened(quoted.group(1)) : null;
        if (message.startsWith("Unexpected end-of-input")) {
            return "it ends before the JSON value is complete";
        }
        if (message.startsWith("Duplicate field") && what != null) {
            return "field '" + what + "' appears more than once";
        }
        if (message.startsWith("Unexpected character")) {
            Matcher code = CHARACTER_CODE.matcher(message);
            return code.find() ? "unexpected character " + character(Integer.parseInt(code.group(1)))
                    : "unexpected character";
        }
        if (message.startsWith("Unrecognized token") && what != null) {
            return "unrecognized token '" + what + "' (strings need double quotes)";
        }
        if (message.startsWith("Unexpected close marker")) {
            return "a closing bracket does not match the one opened";
        }
        if (message.startsWith("Illegal unquoted character")) {
            return "a string contains a control character that is not escaped";
        }
        if (message.contains("Invalid UTF-8")) {
            return "it is not valid UTF-8";
        }
        if (message.startsWith("Non-standard token")) {
            return "NaN and Infinity are not JSON numbers";
        }
        if (message.startsWith("Invalid numeric value")) {
            return "a number is not written as JSON numbers are";
        }
        return "it cannot be parsed";
    }

    /** A character from a parser message: itself when printable ASCII, else its code point. */
    private static String character(int code) {
        return code > 0x20 && code < 0x7f ? "'" + (char) code + "'" : String.format("U+%04X", code);
    }

    private static String shortened(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }

    private static <T extends Throwable> Optional<T> cause(Throwable error, Class<T> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return Optional.of(type.cast(t));
            }
        }
        return Optional.empty();
    }
}
