package dev.easel.domain.job;

/** Outcome of {@link PromptParser#parse(String)}. */
public sealed interface ParseResult permits ParseResult.Parsed, ParseResult.Invalid {

    /** The prompt was understood. The seed is empty when the user gave none (the job picks a random one). */
    record Parsed(GenerationParams params) implements ParseResult {
    }

    /** The prompt was rejected; the message names the parameter, the value and what is allowed. */
    record Invalid(String message) implements ParseResult {
    }
}
