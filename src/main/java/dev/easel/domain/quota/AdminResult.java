package dev.easel.domain.quota;

/** The answer to an admin operation: {@link Done} with its audit entry, or {@link Rejected}. */
public sealed interface AdminResult permits AdminResult.Done, AdminResult.Rejected {

    /** The change was made and recorded. */
    record Done(AuditEntry audit) implements AdminResult {
    }

    /**
     * Nothing was changed.
     *
     * @param field   the input at fault, as named in plans.yaml or the command ("images", "plan", "replacement", …)
     * @param message the whole explanation, starting with the field
     */
    record Rejected(String field, String message) implements AdminResult {
    }
}
