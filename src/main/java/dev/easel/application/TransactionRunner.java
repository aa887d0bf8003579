package dev.easel.application;

import java.util.function.Consumer;
import java.util.function.Function;

/** Runs work in one transaction: commits when it returns, rolls back when it throws (and rethrows). */
public interface TransactionRunner {

    <T> T inTransaction(Function<Tx, T> work);

    default void run(Consumer<Tx> work) {
        inTransaction(tx -> {
            work.accept(tx);
            return null;
        });
    }
}
