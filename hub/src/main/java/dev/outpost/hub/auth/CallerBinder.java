package dev.outpost.hub.auth;

import io.micronaut.core.convert.ArgumentConversionContext;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.bind.binders.TypedRequestArgumentBinder;
import jakarta.inject.Singleton;

/** Lets controller methods take a {@link Caller} parameter, filled from what {@link AuthFilter} found. */
@Singleton
public class CallerBinder implements TypedRequestArgumentBinder<Caller> {

    @Override
    public Argument<Caller> argumentType() {
        return Argument.of(Caller.class);
    }

    @Override
    public BindingResult<Caller> bind(ArgumentConversionContext<Caller> context, HttpRequest<?> source) {
        // Binders run once before the filters too; "unsatisfied" makes Micronaut ask again after AuthFilter.
        var caller = source.getAttribute(AuthFilter.CALLER_ATTRIBUTE, Caller.class);
        return caller.isPresent() ? () -> caller : BindingResult.unsatisfied();
    }
}
