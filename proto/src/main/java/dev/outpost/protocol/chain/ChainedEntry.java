package dev.outpost.protocol.chain;

import java.util.List;

/** An entry of a hash chain: its number, the fields its hash covers, and the hashes linking it. */
public interface ChainedEntry {
    /** 1 for the first entry, one more for each after it. */
    long seq();

    /** The fields the hash covers, in a fixed order, the previous hash not among them; null allowed. */
    List<String> hashedFields();

    /** The hash of the entry before it ({@link HashChain#GENESIS} for the first). */
    String prevHash();

    /** The hash it was written with. */
    String hash();
}
