package io.keras4j.core;

import io.keras4j.json.JsonObject;
import io.keras4j.model.OptimizerState;
import io.keras4j.model.Weight;
import io.keras4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * tf.keras's optimizer variables (the optimizers of tf.keras 2.11 and later: {@code iteration:0}, then per trainable
 * variable its slots, {@code Adam/m/dense/kernel:0}, {@code Adam/v/dense/kernel:0}, …) in Keras 3's order, so a
 * converted file resumes training where the source stopped. Keras 3 keeps {@code iterations} and
 * {@code learning_rate} first, then the same slots per variable in the same order (momentum, velocity for Adam).
 * Only the optimizers whose slots match one to one are translated: Adam and AdamW without amsgrad, SGD, RMSprop,
 * Adagrad, Adadelta, Adamax, Ftrl and Lion (slot names and order read from both packages' {@code build} methods and
 * checked against the variables each saves: RMSprop creates each slot for every variable before the next slot, the
 * others interleave their slots per variable). Nadam has no counterpart: Keras 3 keeps its momentum schedule's running
 * product ({@code u_product}) as a variable that tf.keras neither saves nor restores, so it is refused
 * ({@link #noCounterpart}).
 */
public final class OptimizerSlots {
    private static final Pattern ITERATION = Pattern.compile("(.*/)?iteration(:0)?");

    private OptimizerSlots() {}

    /**
     * An optimizer config's class (without tf.keras's {@code Custom>}), its arguments, and the slots it keeps per
     * trainable variable in tf.keras's names; {@code slots} is null for an optimizer whose slots do not map one to one
     * onto Keras 3's (another class, Adam with amsgrad).
     */
    private record Slots(String className, JsonObject args, List<String> slots, boolean grouped) {
        static Slots of(OptimizerState state) {
            JsonObject config = state.config();
            String className = config.getString("class_name", "");
            if (className.startsWith("Custom>")) className = className.substring("Custom>".length());
            JsonObject args = config.get("config").isObject() ? config.getObject("config") : JsonObject.EMPTY;
            List<String> slots = switch (className) {
                case "Adam", "AdamW" -> args.getBoolean("amsgrad", false) ? null : List.of("m", "v");
                case "SGD" -> args.getDouble("momentum", 0) != 0 ? List.of("m") : List.of();
                case "RMSprop" -> rmsprop(args);
                case "Adagrad" -> List.of("accumulator");
                case "Adadelta" -> List.of("accumulated_grad", "accumulated_delta_var");
                case "Adamax" -> List.of("m", "u");
                case "Ftrl" -> List.of("accumulator", "linear");
                case "Lion" -> List.of("m");
                default -> null;
            };
            // RMSprop's build() adds each slot for all variables before the next; the others add theirs per variable.
            return new Slots(className, args, slots, className.equals("RMSprop"));
        }

        /** velocity, then momentum when momentum > 0, then average_gradient when centered (both generations). */
        private static List<String> rmsprop(JsonObject args) {
            List<String> slots = new ArrayList<>(List.of("velocity"));
            if (args.getDouble("momentum", 0) > 0) slots.add("momentum");
            if (args.getBoolean("centered", false)) slots.add("average_gradient");
            return List.copyOf(slots);
        }

        /** Index, among the slot variables, of slot {@code s} of trainable variable {@code i} of {@code n}. */
        int index(int i, int s, int n) { return grouped ? s * n + i : i * slots.size() + s; }
    }

    /**
     * Why this optimizer's state cannot cross between tf.keras and Keras 3 so that training resumes as it would in the
     * source's Keras; empty for the optimizers translated here and for those keras4j does not know.
     */
    public static Optional<String> noCounterpart(OptimizerState state) {
        Slots shape = Slots.of(state);
        if (shape.className().equals("Nadam")) {
            return Optional.of("Nadam's state has no counterpart across generations: Keras 3 keeps the running product of its "
                    + "momentum schedule (u_product) as an optimizer variable, which tf.keras neither saves nor restores (it "
                    + "restarts the product at 1 and recomputes it per variable), so no file resumes training as the source does");
        }
        return Optional.empty();
    }

    /**
     * Keras 3's {@code optimizer/vars} for a tf.keras optimizer state, or empty when this optimizer's variables cannot
     * be mapped (another optimizer, tf.keras's legacy optimizers, a learning-rate schedule).
     */
    public static Optional<List<Weight>> keras3Variables(OptimizerState state) {
        Slots shape = Slots.of(state);
        String className = shape.className();
        JsonObject args = shape.args();
        List<String> slots = shape.slots();
        List<Weight> vars = state.variables();
        if (slots == null || vars.isEmpty() || !args.get("learning_rate").isNumber() || !ITERATION.matcher(vars.get(0).name()).matches()) {
            return Optional.empty();
        }
        // Then, per trainable variable, one variable per slot in the slot order: CLASS/SLOT/variable path.
        List<Weight> slotVars = vars.subList(1, vars.size());
        if (slots.isEmpty() ? !slotVars.isEmpty() : slotVars.size() % slots.size() != 0) return Optional.empty();
        int n = slots.isEmpty() ? 0 : slotVars.size() / slots.size();
        for (int i = 0; i < n; i++) {
            for (int s = 0; s < slots.size(); s++) {
                if (!slotVars.get(shape.index(i, s, n)).name().startsWith(className + "/" + slots.get(s) + "/")) return Optional.empty();
            }
        }
        List<Weight> out = new ArrayList<>();
        out.add(new Weight("optimizer/vars/0", vars.get(0).value(), false));
        out.add(new Weight("optimizer/vars/1", Tensor.scalar((float) args.getDouble("learning_rate", 0)), false));
        for (Weight w : slotVars) out.add(new Weight("optimizer/vars/" + out.size(), w.value(), false));
        return Optional.of(out);
    }

    /**
     * tf.keras's optimizer variables for a Keras 3 optimizer state ({@code optimizer/vars/N} of a {@code .keras}, or a
     * Keras 3 legacy {@code .h5}'s {@code adam/iteration}, {@code adam/learning_rate}, {@code adam/..._momentum}):
     * tf.keras restores them by position ({@code optimizer.set_weights}), as {@code iteration}, then per trainable
     * variable its slots, so Keras 3's {@code learning_rate} variable (tf.keras keeps it in the config) is left out and
     * the slots are named as tf.keras names them. Empty when they cannot be mapped one to one (another optimizer, a
     * count that does not match the model's trainable weights).
     */
    public static Optional<List<Weight>> tfKerasVariables(OptimizerState state, List<Weight> trainable) {
        Slots shape = Slots.of(state);
        String className = shape.className();
        JsonObject args = shape.args();
        List<String> slots = shape.slots();
        List<Weight> vars = state.variables();
        if (slots == null || vars.size() != 2 + slots.size() * trainable.size() || vars.get(1).value().elementCount() != 1) {
            return Optional.empty();
        }
        int n = trainable.size();
        Weight[] slotVars = new Weight[slots.size() * n];
        for (int i = 0; i < n; i++) {
            String path = trainable.get(i).name().replaceAll(":\\d+$", "");
            for (int s = 0; s < slots.size(); s++) {
                int at = shape.index(i, s, n);
                Weight slot = vars.get(2 + at);
                if (!java.util.Arrays.equals(slot.value().shape(), trainable.get(i).value().shape())) return Optional.empty();
                slotVars[at] = new Weight(className + "/" + slots.get(s) + "/" + path + ":0", slot.value(), false);
            }
        }
        List<Weight> out = new ArrayList<>();
        out.add(new Weight("iteration:0", vars.get(0).value(), false));
        out.addAll(List.of(slotVars));
        return Optional.of(out);
    }

    /** Whether these variables are Keras 3's: {@code iterations} and {@code learning_rate} first, by either naming. */
    public static boolean isKeras3(List<Weight> vars) {
        return vars.size() >= 2 && (vars.stream().allMatch(w -> w.name().startsWith("optimizer/vars/") || w.name().matches("\\d+"))
                || vars.get(1).name().endsWith("/learning_rate") && vars.get(0).name().endsWith("/iteration"));
    }
}
