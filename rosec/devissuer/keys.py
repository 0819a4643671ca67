"""The signing key of the local development issuer: an RSA key pair (PEM), its JWK and key id.

Keys are generated and read with `cryptography`, JWKs written and tokens signed with PyJWT: no hand-rolled
cryptography. The PEM forms are those the realm and the gateway read (identity.SIGNING_PRIVATE_KEY_ENV: PKCS#8,
identity.SIGNING_PUBLIC_KEY_ENV: SubjectPublicKeyInfo), so `rosec env init` writes them with the same code.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KEY_SIZE = 2048


@dataclass(frozen=True)
class SigningKey:
    private_key: rsa.RSAPrivateKey

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE))

    @classmethod
    def from_pem(cls, pem: str) -> SigningKey:
        """A PKCS#8 (or PKCS#1) PEM private key; `\\n` escapes, as a one-line env file holds them, are allowed."""
        key = serialization.load_pem_private_key(pem.replace("\\n", "\n").encode("ascii"), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the signing key is not an RSA key")
        return cls(key)

    @property
    def private_pem(self) -> str:
        return self.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()).decode("ascii")

    @property
    def public_pem(self) -> str:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")

    @cached_property
    def jwk(self) -> dict[str, Any]:
        """The public key as a JWK (RFC 7517) for the JWKS endpoint, with `kid`, `alg` and `use`."""
        return {"kid": self.kid, "kty": "RSA", "alg": "RS256", "use": "sig", **self._members}

    @cached_property
    def kid(self) -> str:
        return thumbprint(self._members["n"], self._members["e"])

    @cached_property
    def _members(self) -> dict[str, str]:
        jwk = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {"n": jwk["n"], "e": jwk["e"]}


def thumbprint(n: str, e: str) -> str:
    """The RFC 7638 thumbprint of an RSA public key (its base64url `n` and `e`): SHA-256 over the required
    members in lexicographic order, without white space."""
    members = json.dumps({"e": e, "kty": "RSA", "n": n}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(members.encode("ascii")).digest()).rstrip(b"=").decode("ascii")
