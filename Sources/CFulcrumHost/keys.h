// The keys of `s` and of the answer, in the order of the keys table fulcrum_host_make_keys pushes.
// Private to the host's C files.
enum {
    KEY_STEP = 1, KEY_EPOCH, KEY_PROGRESS, KEY_LR, KEY_TASKS, KEY_LOSS, KEY_INITIAL_LOSS, KEY_WEIGHTS, KEY_KPI,
    KEY_VAL_KPI, KEY_VAL_LOSS, KEY_GRAD_NORM, KEY_GRAM, KEY_REP_GRAM, KEY_EXAMPLE_LOSS, KEY_VAL_ALIGN,
    KEY_GRAD_EMA_GRAM, KEY_ADAGRAD_NORM2, KEY_PREDICTION_GAIN,
    KEY_SHARED, KEY_HEADS, KEY_EXAMPLES,
    KEY_COUNT = KEY_EXAMPLES
};
