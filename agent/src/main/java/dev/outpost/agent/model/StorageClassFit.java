package dev.outpost.agent.model;

import dev.outpost.agent.model.ResourceDemand.StorageClaim;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether the cluster can provision every volume claim: pure. A claim naming a class needs that class;
 * a claim naming none needs the cluster's default class; an empty name ("") binds a pre-made volume
 * and is not checked. Without a class the claim stays Pending and its workload never becomes Ready.
 */
public final class StorageClassFit {
    private StorageClassFit() {
    }

    /**
     * @param classes the cluster's storage classes
     * @param defaultClass the one marked default, if any
     */
    public static List<String> problems(List<StorageClaim> claims, Set<String> classes, Optional<String> defaultClass) {
        List<String> problems = new ArrayList<>();
        String known = classes.isEmpty() ? "it has none" : "it has " + String.join(", ", new TreeSet<>(classes));
        for (StorageClaim claim : claims) {
            String what = "volume claim " + claim.claim() + " of " + claim.owner();
            if (claim.storageClass() == null) {
                if (defaultClass.isEmpty()) {
                    problems.add(what + " names no storage class and the cluster has no default one (" + known
                            + "): name a class in the parameters, or mark one default");
                }
            } else if (!claim.storageClass().isEmpty() && !classes.contains(claim.storageClass())) {
                problems.add(what + " asks for storage class " + claim.storageClass() + ", which the cluster does not have ("
                        + known + ")");
            }
        }
        return problems;
    }
}
