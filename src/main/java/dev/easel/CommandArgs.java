package dev.easel;

import java.util.List;

/** Option parsing shared by the sub-commands: an option's value and whole-number options, with specific errors. */
final class CommandArgs {
    private CommandArgs() {
    }

    /** The value after {@code option} (at index {@code i}), or an error that shows the command's usage. */
    static String value(List<String> args, int i, String option, String usage) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value\n" + usage);
        }
        return args.get(i);
    }

    /** A whole number in min..max (max = Integer.MAX_VALUE for no upper bound). */
    static int whole(String v, String option, int min, int max) {
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        String allowed = max == Integer.MAX_VALUE ? ">= " + min : min + ".." + max;
        throw new IllegalArgumentException(option + " must be a whole number " + allowed + "; got '" + v + "'");
    }
}
