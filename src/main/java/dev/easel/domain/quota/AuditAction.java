package dev.easel.domain.quota;

/** The kinds of admin change recorded in the audit log. */
public enum AuditAction {
    PLAN_CREATED,
    PLAN_EDITED,
    PLAN_DELETED,
    DEFAULT_PLAN_SET,
    PERIOD_MODE_SET,
    USER_ASSIGNED,
    USER_UNASSIGNED,
    ROLE_MAPPED,
    ROLE_UNMAPPED,
    SKU_MAPPED,
    SKU_UNMAPPED,
    BONUS_GRANTED,
    USAGE_RESET
}
