"""Custom objects of the zoo, for Keras 3 (`keras`) and Keras 2 (`tf_keras`).

Both generations register the same class under the same name, "keras4j_zoo>Scale",
so files written by either can be loaded by either. The registering decorator is
module specific, hence the factory: call `custom_objects(k)` with the keras module
in use; it defines and registers the classes once per module.
"""

PACKAGE = "keras4j_zoo"

_registered = {}


def custom_objects(k):
    """Registers the zoo's custom classes with keras module `k`; returns {name: class}."""
    key = k.__name__
    if key not in _registered:
        _registered[key] = _define(k)
    return _registered[key]


def registered_names(k):
    """The registered names ("package>Class") as they appear in saved configs."""
    return sorted(k.saving.get_registered_name(c) for c in custom_objects(k).values())


def _define(k):
    @k.saving.register_keras_serializable(package=PACKAGE, name="Scale")
    class Scale(k.layers.Layer):
        """Multiplies each feature by its own trainable factor."""

        def __init__(self, initial=1.0, **kwargs):
            super().__init__(**kwargs)
            self.initial = initial

        def build(self, input_shape):
            self.scale = self.add_weight(
                name="scale",
                shape=(input_shape[-1],),
                initializer=k.initializers.Constant(self.initial),
                trainable=True,
            )
            super().build(input_shape)

        def call(self, inputs):
            return inputs * self.scale

        def get_config(self):
            return {**super().get_config(), "initial": self.initial}

    return {"Scale": Scale}
