#include "core/error.h"
#include "core/result.h"

#include <QTest>

#include <memory>

using namespace confab;

class TestError : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void httpStatusMapsToKind_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<ErrorKind>("kind");
        QTest::addColumn<bool>("transient");
        QTest::newRow("400") << 400 << ErrorKind::InvalidInput << false;
        QTest::newRow("401") << 401 << ErrorKind::Unauthorized << false;
        QTest::newRow("403") << 403 << ErrorKind::Forbidden << false;
        QTest::newRow("404") << 404 << ErrorKind::NotFound << false;
        QTest::newRow("408") << 408 << ErrorKind::Timeout << true;
        QTest::newRow("409") << 409 << ErrorKind::Conflict << false;
        QTest::newRow("422") << 422 << ErrorKind::InvalidInput << false;
        QTest::newRow("429") << 429 << ErrorKind::RateLimited << true;
        QTest::newRow("500") << 500 << ErrorKind::Server << true;
        QTest::newRow("503") << 503 << ErrorKind::Server << true;
        QTest::newRow("302") << 302 << ErrorKind::Protocol << false;
    }

    void httpStatusMapsToKind()
    {
        QFETCH(int, status);
        QFETCH(ErrorKind, kind);
        QFETCH(bool, transient);
        const Error error = Error::fromHttpStatus(status);
        QCOMPARE(error.kind(), kind);
        QCOMPARE(error.httpStatus(), status);
        QCOMPARE(error.isTransient(), transient);
        QVERIFY2(!error.message().isEmpty(), "every error needs a message a person can read");
    }

    void explicitMessageAndDetailAreKept()
    {
        Error error(ErrorKind::Crypto, QStringLiteral("The signature does not match."), QStringLiteral("event 42"));
        error.withHttpStatus(400).withProblemType(QStringLiteral("https://api.x.com/2/problems/invalid-request"));
        QCOMPARE(error.kind(), ErrorKind::Crypto);
        QCOMPARE(error.message(), QStringLiteral("The signature does not match."));
        QCOMPARE(error.detail(), QStringLiteral("event 42"));
        QCOMPARE(error.httpStatus(), 400);
        QCOMPARE(error.problemType(), QStringLiteral("https://api.x.com/2/problems/invalid-request"));
        QCOMPARE(error.toString(), QStringLiteral("Crypto (HTTP 400, https://api.x.com/2/problems/invalid-request): "
                                "The signature does not match. \u2014 event 42"));
    }

    void everyKindHasADefaultMessageAndName()
    {
        for (int k = static_cast<int>(ErrorKind::Network); k <= static_cast<int>(ErrorKind::Internal); ++k) {
            const auto kind = static_cast<ErrorKind>(k);
            const Error error(kind, {});
            QVERIFY2(!error.message().isEmpty(), qPrintable(errorKindName(kind)));
            QVERIFY(errorKindName(kind) != QLatin1String("Unknown"));
        }
    }

    void errorsCompareByValue()
    {
        const Error a(ErrorKind::Network, QStringLiteral("x"));
        Error b(ErrorKind::Network, QStringLiteral("x"));
        QCOMPARE(a, b);
        b.withHttpStatus(502);
        QVERIFY(a != b);
    }

    void errorTravelsThroughQVariant()
    {
        const Error error = Error::fromHttpStatus(429, QStringLiteral("slow down"));
        const QVariant variant = QVariant::fromValue(error);
        QCOMPARE(variant.value<Error>(), error);
    }

    void debugOutputIsOneReadableLine()
    {
        QString out;
        QDebug(&out) << Error::fromHttpStatus(404, QStringLiteral("gone"));
        QCOMPARE(out.trimmed(), QStringLiteral("confab::Error(NotFound (HTTP 404): gone)"));
    }

    void resultHoldsValue()
    {
        Result<int> result = 42;
        QVERIFY(result.ok());
        QVERIFY(!result.hasError());
        QVERIFY(static_cast<bool>(result));
        QCOMPARE(result.value(), 42);
        QCOMPARE(result.valueOr(7), 42);
        result.value() = 43;
        QCOMPARE(result.value(), 43);
    }

    void resultHoldsError()
    {
        const Result<QString> result = Error(ErrorKind::Storage, QStringLiteral("disk full"));
        QVERIFY(!result.ok());
        QVERIFY(result.hasError());
        QCOMPARE(result.error().kind(), ErrorKind::Storage);
        QCOMPARE(result.error().message(), QStringLiteral("disk full"));
        QCOMPARE(result.valueOr(QStringLiteral("fallback")), QStringLiteral("fallback"));
    }

    void resultMapsValuesAndPassesErrorsThrough()
    {
        const Result<int> good = 20;
        const auto doubled = good.map([](int v) { return QString::number(v * 2); });
        QCOMPARE(doubled.value(), QStringLiteral("40"));

        const Result<int> bad = Error::fromHttpStatus(503);
        const auto mapped = bad.map([](int v) { return v * 2; });
        QVERIFY(mapped.hasError());
        QCOMPARE(mapped.error().kind(), ErrorKind::Server);
    }

    void resultMovesOnlyValues()
    {
        Result<std::unique_ptr<int>> result = std::make_unique<int>(5);
        std::unique_ptr<int> taken = std::move(result).value();
        QVERIFY(taken);
        QCOMPARE(*taken, 5);
    }

    void voidResult()
    {
        const Result<void> success = Result<void>::success();
        QVERIFY(success.ok());
        const Result<void> failure = Error(ErrorKind::Keychain, {});
        QVERIFY(failure.hasError());
        QCOMPARE(failure.error().kind(), ErrorKind::Keychain);
    }
};

QTEST_GUILESS_MAIN(TestError)
#include "tst_error.moc"
