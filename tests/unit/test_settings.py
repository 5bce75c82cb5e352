import pytest

from channel.errors import ConfigurationError
from channel.magento.env import parse_php_array, read_env_php
from channel.settings import Secret, Settings


def test_settings_from_environment_with_prefix():
    s = Settings.from_env({"CHANNEL_DATABASE_URL": "mysql+mysqldb://u@h/db", "CHANNEL_SYNC_INTERVAL": "600",
                           "CHANNEL_BRIDGE_SECRET": "s3cret", "OTHER": "x"})
    assert s.sync_interval == 600
    assert s.bridge_secret == "s3cret"
    assert "s3cret" not in repr(s)


def test_settings_are_frozen_and_reject_bad_values():
    s = Settings.from_env({"CHANNEL_DATABASE_URL": "mysql+mysqldb://u@h/db"})
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        s.sync_interval = 5
    with pytest.raises(ConfigurationError):
        Settings.from_env({"CHANNEL_DATABASE_URL": "x", "CHANNEL_BRIDGE_PORT": "eighty"})
    with pytest.raises(ConfigurationError):
        Settings.from_env({})


def test_secret_masks_itself():
    assert repr(Secret("abc")) == "Secret('***')"


def test_env_php_literals_parse():
    data = parse_php_array("""<?php return array('a' => [1, 2.5, true, null, "x\\ty"], 'b' => 'it\\'s',);""")
    assert data == {"a": {0: 1, 1: 2.5, 2: True, 3: None, 4: "x\ty"}, "b": "it's"}


def test_env_php_without_db_section_is_a_clear_error(tmp_path):
    f = tmp_path / "env.php"
    f.write_text("<?php return ['backend' => ['frontName' => 'admin']];")
    with pytest.raises(ConfigurationError, match="db.connection.default"):
        read_env_php(f)


def test_env_php_host_forms():
    from channel.magento.env import MagentoEnv

    base = dict(dbname="m", username="u", password="p w", table_prefix="", crypt_key="")
    assert "unix_socket=/run/mysqld/mysqld.sock" in MagentoEnv(host="/run/mysqld/mysqld.sock", **base).database_url()
    assert "@db:3307/m" in MagentoEnv(host="db:3307", **base).database_url()
    assert "u:p+w@" in MagentoEnv(host="localhost", **base).database_url()
