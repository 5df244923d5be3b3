"""TOTP secrets encrypted at rest

Revision ID: uploads0002
Revises: uploads0001
Create Date: 2026-12-07 19:40:00

Widens users.totp_secret for a Fernet token and encrypts the secrets already stored, with a key derived from
the app's SECRET_KEY (as consulta/crypto.py does; the derivation is repeated here so that this revision keeps
meaning what it meant when the code moves on). Downgrade decrypts them back.
"""
import base64

import sqlalchemy as sa
from alembic import op
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

# revision identifiers, used by Alembic.
revision = 'uploads0002'
down_revision = 'uploads0001'
branch_labels = None
depends_on = None

users = sa.table("users", sa.column("id", sa.Integer), sa.column("totp_secret", sa.String))


def _fernet() -> Fernet:
    secret_key = current_app.config["SECRET_KEY"]
    material = secret_key.encode("utf-8") if isinstance(secret_key, str) else secret_key
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"consulta:totp-secret:v1").derive(material)
    return Fernet(base64.urlsafe_b64encode(key))


def _is_token(fernet: Fernet, value: str) -> bool:
    try:
        fernet.decrypt(value.encode("ascii"))
        return True
    except (InvalidToken, UnicodeError):
        return False


def _stored(connection) -> list:
    return connection.execute(sa.select(users.c.id, users.c.totp_secret).where(users.c.totp_secret.isnot(None))).all()


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=64), type_=sa.String(length=255),
                              existing_nullable=True)
    connection = op.get_bind()
    fernet = _fernet()
    for user_id, secret in _stored(connection):
        if not _is_token(fernet, secret):
            connection.execute(users.update().where(users.c.id == user_id)
                               .values(totp_secret=fernet.encrypt(secret.encode("utf-8")).decode("ascii")))


def downgrade():
    connection = op.get_bind()
    fernet = _fernet()
    for user_id, secret in _stored(connection):
        if _is_token(fernet, secret):
            connection.execute(users.update().where(users.c.id == user_id)
                               .values(totp_secret=fernet.decrypt(secret.encode("ascii")).decode("utf-8")))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=255), type_=sa.String(length=64),
                              existing_nullable=True)
