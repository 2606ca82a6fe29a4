package dev.outpost.hub.deployments;

import dev.outpost.hub.deployments.DeploymentStore.Issued;
import dev.outpost.hub.store.Sql;
import dev.outpost.protocol.release.ReleaseRendering;
import dev.outpost.protocol.text.FreeText;
import dev.outpost.protocol.v1.AppliedDeployment;
import dev.outpost.protocol.v1.Command;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks what an agent claims to have applied against what the hub issued to the agent's own
 * environment: a deployment of that environment (never another's: a foreign id is "unknown", so its
 * existence is not revealed), a generation the hub issued, and the content hash the hub's own
 * rendering of that generation's command gives.
 */
@Singleton
public class AppliedClaims {
    private final DeploymentStore deployments;
    private final CommandStore commands;

    public AppliedClaims(DeploymentStore deployments, CommandStore commands) {
        this.deployments = deployments;
        this.commands = commands;
    }

    /**
     * The outcome of a check.
     *
     * @param accepted the claims that hold, in the order sent
     * @param refused how many were refused, by reason
     * @param firstRefused the first refused claim and why, printable in a log line
     */
    public record Checked(List<AppliedDeployment> accepted, Map<String, Integer> refused, Optional<String> firstRefused) {
        /** How many claims were refused. */
        public int refusedCount() {
            return refused.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** Checks a Hello's applied list of an agent of {@code environmentId}. */
    public Checked check(Sql sql, String environmentId, List<AppliedDeployment> claimed) {
        if (claimed.isEmpty()) {
            return new Checked(List.of(), Map.of(), Optional.empty());
        }
        Map<String, Issued> issued = deployments.issuedIn(sql, environmentId);
        List<AppliedDeployment> accepted = new ArrayList<>();
        Map<String, Integer> refused = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        String first = null;
        for (AppliedDeployment claim : claimed) {
            Optional<String> why = problem(sql, environmentId, issued.get(claim.getDeploymentId()), claim, seen);
            if (why.isEmpty()) {
                accepted.add(claim);
            } else {
                refused.merge(why.get(), 1, Integer::sum);
                if (first == null) {
                    first = describe(claim) + ": " + why.get();
                }
            }
        }
        return new Checked(List.copyOf(accepted), Map.copyOf(refused), Optional.ofNullable(first));
    }

    /**
     * What is wrong with a result's {@code applied} as the answer to {@code command}, or empty: it
     * must name the command's deployment and generation and the hash of the command's rendering.
     */
    public static Optional<String> resultProblem(Command command, AppliedDeployment applied) {
        if (!applied.getDeploymentId().equals(command.getDeploymentId())) {
            return Optional.of("applied.deployment_id is not the command's deployment " + command.getDeploymentId());
        }
        if (applied.getGeneration() != command.getGeneration()) {
            return Optional.of("applied.generation " + applied.getGeneration() + " is not the command's generation "
                    + command.getGeneration());
        }
        if (!command.hasApply() || !applied.getContentHash().equals(expectedHash(command))) {
            return Optional.of("applied.content_hash " + FreeText.forLog(applied.getContentHash())
                    + " is not the hash of what the command renders to");
        }
        return Optional.empty();
    }

    /** The content hash an agent reports after carrying out an apply command. */
    public static String expectedHash(Command command) {
        return ReleaseRendering.contentHash(command.getDeploymentId(), command.getApply());
    }

    private Optional<String> problem(Sql sql, String environmentId, Issued deployment, AppliedDeployment claim,
                                     Set<String> seen) {
        if (deployment == null) {
            return Optional.of("unknown deployment");
        }
        if (!seen.add(claim.getDeploymentId())) {
            return Optional.of("deployment listed twice");
        }
        if (deployment.deleted()) {
            return Optional.of("deployment is deleted");
        }
        if (claim.getGeneration() < 1 || claim.getGeneration() > deployment.generation()) {
            return Optional.of("generation not issued");
        }
        if (claim.getGeneration() == deployment.appliedGeneration()
                && claim.getContentHash().equals(deployment.contentHash())) {
            return Optional.empty();
        }
        // E.g. applied while the result was lost: the hub renders that generation's command to compare.
        Map<Long, Command> byGeneration = new HashMap<>();
        commands.ofDeployment(sql, environmentId, claim.getDeploymentId())
                .forEach(c -> byGeneration.put(c.getGeneration(), c));
        Command command = byGeneration.get(claim.getGeneration());
        if (command == null || !command.hasApply() || !claim.getContentHash().equals(expectedHash(command))) {
            return Optional.of("content hash unknown for that generation");
        }
        return Optional.empty();
    }

    private static String describe(AppliedDeployment claim) {
        return "deployment_id=" + FreeText.forLog(claim.getDeploymentId()) + " generation=" + claim.getGeneration()
                + " content_hash=" + FreeText.forLog(claim.getContentHash());
    }
}
