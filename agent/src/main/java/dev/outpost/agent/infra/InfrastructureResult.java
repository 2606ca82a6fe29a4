package dev.outpost.agent.infra;

/** What an infrastructure provider did: {@code ok} with a short note, or not, with a reason an operator can act on. */
public record InfrastructureResult(boolean ok, String message) {

    public static InfrastructureResult succeeded(String note) {
        return new InfrastructureResult(true, note);
    }

    public static InfrastructureResult failed(String reason) {
        return new InfrastructureResult(false, reason);
    }
}
