package dev.easel.domain.quota;

import java.util.UUID;

/** Identifies a reservation; store it with the job so the worker can commit or refund it. */
public record ReservationId(String value) {
    public ReservationId {
        if (value == null || value.isBlank() || value.length() > 64) {
            throw new IllegalArgumentException("reservation id must be 1 to 64 characters, got '" + value + "'");
        }
    }

    public static ReservationId random() {
        return new ReservationId(UUID.randomUUID().toString());
    }

    @Override
    public String toString() {
        return value;
    }
}
