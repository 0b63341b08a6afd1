import pytest

import neuronet as keras


def test_clear_session_restarts_layer_names():
    keras.layers.Dense(2)
    keras.backend.clear_session()
    assert keras.layers.Dense(2).name == "dense"


def test_backend_settings_forward_to_config():
    assert keras.backend.floatx() == "float32"
    assert keras.backend.image_data_format() == "channels_last"
    with pytest.raises(ValueError, match="channels_first"):
        keras.backend.set_image_data_format("channels_first")
