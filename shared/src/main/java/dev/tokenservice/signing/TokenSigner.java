package dev.tokenservice.signing;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;

/** The key that signs new tokens: its JWKS key id, its JOSE algorithm and a Nimbus signer over it. */
public interface TokenSigner {

    String keyId();

    JWSAlgorithm algorithm();

    JWSSigner jwsSigner();
}
