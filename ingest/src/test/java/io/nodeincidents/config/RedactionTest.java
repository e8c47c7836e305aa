package io.nodeincidents.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactionTest {

    @Test
    void aUrlKeepsItsUserAndHostButNotItsPassword() {
        assertThat(Redaction.text("schema registry http://user:secret@registry:8081/apis, retrying"))
                .isEqualTo("schema registry http://user:***@registry:8081/apis, retrying");
        assertThat(Redaction.text("[https://a:p%40ss@one:8081, https://b:s3cr3t@two:8081]"))
                .isEqualTo("[https://a:***@one:8081, https://b:***@two:8081]");
    }

    @Test
    void aPasswordHoldingAnAtSignIsMaskedWhole() {
        assertThat(Redaction.text("http://user:p@ss@host:8081")).isEqualTo("http://user:***@host:8081");
    }

    @Test
    void urlsWithoutPasswordsAndPlainTextStayAsTheyWere() {
        for (String text : new String[] {"http://registry:8081", "http://user@registry:8081", "mock://demo",
            "broker at 127.0.0.1:9092", "order-6 allocation failed: 0.1% of a core", ""}) {
            assertThat(Redaction.text(text)).isEqualTo(text);
        }
        assertThat(Redaction.text(null)).isNull();
    }

    @Test
    void jaasPasswordsAndClientSecretsAreMasked() {
        assertThat(Redaction.text("sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"shipper\" password=\"hunter2\";"))
                .isEqualTo("sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " username=\"shipper\" password=\"***\";");
        assertThat(Redaction.text("OAuthBearerLoginModule required clientId='c' clientSecret='s3' ;"))
                .isEqualTo("OAuthBearerLoginModule required clientId='c' clientSecret='***' ;");
        assertThat(Redaction.text("ssl.keystore.password=changeit basic.auth.user.info=u:p"))
                .isEqualTo("ssl.keystore.password=*** basic.auth.user.info=***");
    }
}
