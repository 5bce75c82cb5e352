import pytest

from channel.errors import ConfigurationError
from channel.magento.env import parse_php_array, read_env_php
from channel.settings import Secret, Settings

STRONG = "n7Qe2xVb9KfLr4TzWm8HcJp3YdAs6GuE1oRi5"


def test_settings_from_environment_with_prefix():
    s = Settings.from_env({"CHANNEL_DATABASE_URL": "mysql+mysqldb://u@h/db", "CHANNEL_SYNC_INTERVAL": "600",
                           "CHANNEL_BRIDGE_SECRET": STRONG, "OTHER": "x"})
    assert s.sync_interval == 600
    assert s.bridge_secret == STRONG
    assert STRONG not in repr(s)


def test_settings_are_frozen_and_reject_bad_values():
    s = Settings.from_env({"CHANNEL_DATABASE_URL": "mysql+mysqldb://u@h/db"})
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        s.sync_interval = 5
    with pytest.raises(ConfigurationError):
        Settings.from_env({"CHANNEL_DATABASE_URL": "x", "CHANNEL_BRIDGE_PORT": "eighty"})
    with pytest.raises(ConfigurationError):
        Settings.from_env({})


def test_migrations_folder_and_sandbox_time_scale_come_from_settings(tmp_path):
    from channel.migrations import sql_dir

    base = {"CHANNEL_DATABASE_URL": "mysql+mysqldb://u@h/db"}
    assert Settings.from_env(base).sandbox_time_scale == 1.0
    s = Settings.from_env({**base, "CHANNEL_SQL_DIR": str(tmp_path), "CHANNEL_SANDBOX_TIME_SCALE": "30"})
    assert (s.sql_dir, s.sandbox_time_scale) == (str(tmp_path), 30.0)
    assert sql_dir(s.sql_dir) == tmp_path
    assert (sql_dir() / "0001_accounts_listings.sql").is_file()  # a checkout's own sql/
    with pytest.raises(ConfigurationError, match="migrations folder"):
        sql_dir(str(tmp_path / "missing"))
    for bad in ("fast", "0", "-2"):
        with pytest.raises(ConfigurationError):
            Settings.from_env({**base, "CHANNEL_SANDBOX_TIME_SCALE": bad})


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


@pytest.mark.parametrize("secret", ["a", "s3cret", "bridge-test-secret", "a" * 64, "0123456789abcdef" * 4,
                                    "abcabcabcabcabcabcabcabcabcabcabcabc"])
def test_short_or_predictable_bridge_secret_is_refused(secret):
    with pytest.raises(ConfigurationError, match="CHANNEL_BRIDGE_SECRET is too weak"):
        Settings(database_url="mysql+mysqldb://u@h/db", bridge_secret=secret)


@pytest.mark.parametrize("key", ["k", "passphrase", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                                 "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="])
def test_weak_encryption_key_or_passphrase_is_refused(key):
    with pytest.raises(ConfigurationError, match="CHANNEL_ENCRYPTION_KEY"):
        Settings.from_env({"CHANNEL_DATABASE_URL": "mysql+mysqldb://u@h/db", "CHANNEL_ENCRYPTION_KEY": key})


def test_random_secrets_and_long_passphrases_are_accepted():
    import secrets

    from channel.crypto import new_key

    for key in (new_key(), "correct horse battery staple on a quiet river"):
        Settings(database_url="mysql+mysqldb://u@h/db", bridge_secret=secrets.token_urlsafe(32), encryption_key=key)
    Settings(database_url="mysql+mysqldb://u@h/db", bridge_secret=secrets.token_hex(32))
    Settings(database_url="mysql+mysqldb://u@h/db")  # no secrets at all: a worker without the bridge


def test_passphrase_key_is_stretched_with_a_salt_and_old_values_stay_readable():
    import base64
    import hashlib

    from cryptography.fernet import Fernet, InvalidToken

    from channel.crypto import Vault

    phrase = "correct horse battery staple on a quiet river"
    vault = Vault(phrase)
    sealed = vault.encrypt("Atzr|refresh")
    assert sealed.startswith("scrypt1:") and Vault(phrase).decrypt(sealed) == "Atzr|refresh"
    unsalted = Fernet(base64.urlsafe_b64encode(hashlib.sha256(phrase.encode()).digest()))
    with pytest.raises(InvalidToken):
        unsalted.decrypt(sealed.split(":", 2)[2].encode())  # not the old single-hash key any more
    before = unsalted.encrypt(b"written before").decode()
    assert vault.decrypt(before) == "written before"


def test_env_php_reader_does_not_import_settings():
    """channel.settings reads env.php through channel.magento.env, never the other way round."""
    import subprocess
    import sys

    probe = "import sys, channel.magento.env; print('channel.settings' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
