package dev.outpost.agent.infra;

import dev.outpost.protocol.v1.InfrastructureRequirement;
import java.time.Duration;

/** The provider of an agent started without one: every infrastructure step fails, saying so. */
public final class NoInfrastructureProvider implements InfrastructureProvider {
    static final String REASON = "this agent has no infrastructure provider configured (start it with "
            + "--infrastructure-provider), so it cannot make ";

    @Override
    public InfrastructureResult ensure(InfrastructureRequirement requirement, Duration timeout) {
        return InfrastructureResult.failed(REASON + requirement.getKind() + " `" + requirement.getName() + "` exist");
    }

    @Override
    public InfrastructureResult remove(String kind, String name, Duration timeout) {
        return InfrastructureResult.failed(REASON + "sure " + kind + " `" + name + "` is removed");
    }
}
