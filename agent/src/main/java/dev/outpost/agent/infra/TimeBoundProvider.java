package dev.outpost.agent.infra;

import dev.outpost.protocol.v1.InfrastructureRequirement;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Holds any provider to its timeout: each call runs on its own virtual thread, and one that has not
 * answered a little after its timeout is interrupted and reported as a failure, so a provider that
 * ignores its timeout (a hung cloud API) cannot hold a deployment forever. Interrupting the caller (the
 * agent shutting down) interrupts the call too.
 */
public final class TimeBoundProvider implements InfrastructureProvider {
    /** How long past its timeout a call may take to answer before it is given up. */
    static final Duration GRACE = Duration.ofSeconds(5);
    private static final ExecutorService CALLS = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("outpost-infrastructure-", 0).factory());

    private final InfrastructureProvider provider;
    private final Duration grace;

    public TimeBoundProvider(InfrastructureProvider provider) {
        this(provider, GRACE);
    }

    TimeBoundProvider(InfrastructureProvider provider, Duration grace) {
        this.provider = provider;
        this.grace = grace;
    }

    @Override
    public InfrastructureResult ensure(InfrastructureRequirement requirement, Duration timeout) throws InterruptedException {
        return bounded(() -> provider.ensure(requirement, timeout), timeout,
                requirement.getKind() + " `" + requirement.getName() + "`");
    }

    @Override
    public InfrastructureResult remove(String kind, String name, Duration timeout) throws InterruptedException {
        return bounded(() -> provider.remove(kind, name, timeout), timeout, "removing " + kind + " `" + name + "`");
    }

    private InfrastructureResult bounded(Callable<InfrastructureResult> call, Duration timeout, String what)
            throws InterruptedException {
        Future<InfrastructureResult> answer = CALLS.submit(call);
        try {
            return answer.get(timeout.plus(grace).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            return InfrastructureResult.failed(what + ": the infrastructure provider did not answer within "
                    + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            answer.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return InfrastructureResult.failed(what + ": the infrastructure provider failed: "
                    + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()));
        }
    }
}
