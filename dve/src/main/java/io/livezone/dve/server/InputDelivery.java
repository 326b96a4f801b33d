package io.livezone.dve.server;

import java.util.HashMap;
import java.util.Map;

/**
 * How clients' sequence-numbered input datagrams reached the zone server, summed over sessions
 * (those open now and those already closed). Served by the {@code INPUTS} control command as {@code
 * INPUTS sessions=.. received=.. missing=.. late=.. duplicates=.. tooOld=..}.
 *
 * @param sessions sessions counted (open and closed)
 * @param received datagrams that reached a session, duplicates included
 * @param missing sequence numbers skipped and never received: client datagrams lost on the way
 * @param late datagrams that arrived after a higher number of their client (reordered)
 * @param duplicates datagrams whose number had already arrived
 * @param tooOld datagrams too far behind their client's newest to be classified
 */
public record InputDelivery(
        long sessions, long received, long missing, long late, long duplicates, long tooOld) {

    public static final InputDelivery NONE = new InputDelivery(0, 0, 0, 0, 0, 0);

    static InputDelivery of(InputSequence s) {
        return new InputDelivery(
                1, s.received(), s.missing(), s.late(), s.duplicates(), s.tooOld());
    }

    public InputDelivery plus(InputDelivery o) {
        return new InputDelivery(
                sessions + o.sessions,
                received + o.received,
                missing + o.missing,
                late + o.late,
                duplicates + o.duplicates,
                tooOld + o.tooOld);
    }

    /** True when every client's inputs arrived complete and in order (duplicates allowed). */
    public boolean completeAndInOrder() {
        return missing == 0 && late == 0 && tooOld == 0;
    }

    /** The control protocol's reply line. */
    public String toLine() {
        return "INPUTS sessions="
                + sessions
                + " received="
                + received
                + " missing="
                + missing
                + " late="
                + late
                + " duplicates="
                + duplicates
                + " tooOld="
                + tooOld;
    }

    /**
     * Parses {@link #toLine()}'s format.
     *
     * @throws IllegalArgumentException if the line is not an INPUTS reply
     */
    public static InputDelivery parse(String line) {
        String[] words = line.strip().split(" ");
        if (words.length < 1 || !words[0].equals("INPUTS")) {
            throw new IllegalArgumentException("not an INPUTS reply: '" + line + "'");
        }
        Map<String, Long> values = new HashMap<>();
        for (int i = 1; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("malformed INPUTS reply: '" + line + "'");
            }
            try {
                values.put(words[i].substring(0, eq), Long.parseLong(words[i].substring(eq + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("malformed INPUTS reply: '" + line + "'", e);
            }
        }
        for (String key :
                new String[] {"sessions", "received", "missing", "late", "duplicates", "tooOld"}) {
            if (!values.containsKey(key)) {
                throw new IllegalArgumentException(
                        "INPUTS reply lacks " + key + ": '" + line + "'");
            }
        }
        return new InputDelivery(
                values.get("sessions"),
                values.get("received"),
                values.get("missing"),
                values.get("late"),
                values.get("duplicates"),
                values.get("tooOld"));
    }
}
