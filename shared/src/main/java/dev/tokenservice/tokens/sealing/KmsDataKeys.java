package dev.tokenservice.tokens.sealing;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;

/** Data keys from a symmetric KMS key: GenerateDataKey to seal, Decrypt to open. */
public final class KmsDataKeys implements DataKeys {

    private final KmsClient kms;
    private final String keyId;

    public KmsDataKeys(KmsClient kms, String keyId) {
        this.kms = kms;
        this.keyId = keyId;
    }

    @Override
    public DataKey generate() {
        var response = kms.generateDataKey(r -> r.keyId(keyId).keySpec(DataKeySpec.AES_256));
        return new DataKey(response.plaintext().asByteArray(), response.ciphertextBlob().asByteArray());
    }

    @Override
    public byte[] decrypt(byte[] encryptedKey) {
        return kms.decrypt(r -> r.keyId(keyId).ciphertextBlob(SdkBytes.fromByteArray(encryptedKey)))
                .plaintext().asByteArray();
    }
}
