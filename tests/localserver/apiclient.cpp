#include "apiclient.h"

#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QNetworkRequest>
#include <QTest>
#include <QTimer>

namespace confab::localserver::test {

namespace {

constexpr auto ProblemPrefix = "https://api.x.com/2/problems/";

bool isTextual(const QByteArray &contentType)
{
    return contentType.contains("json") || contentType.startsWith("text/");
}

QByteArray mediaType(const QByteArray &contentType)
{
    const qsizetype semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.left(semi)).trimmed().toLower();
}

/// Appends one record to this process's responses file.
void record(const QByteArray &method, const QString &path, const QString &query, const ApiResponse &response,
            bool streamLine = false)
{
    static QFile file;
    if (!file.isOpen()) {
        QDir().mkpath(QFileInfo(responsesFile()).absolutePath());
        file.setFileName(responsesFile());
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
            qFatal("cannot record responses in %s", qPrintable(file.fileName()));
    }
    const QByteArray type = response.contentType();
    QJsonObject o{
        {QStringLiteral("test"), QCoreApplication::applicationName()},
         {QStringLiteral("function"), QString::fromLatin1(QTest::currentTestFunction())},
          {QStringLiteral("method"), QString::fromLatin1(method)},
           {QStringLiteral("path"), path}, {QStringLiteral("query"), query},
                                            {QStringLiteral("status"), response.status},
                                             {QStringLiteral("content_type"), QString::fromLatin1(type)},
                                              {QStringLiteral("body_size"), response.body.size()},
                                             };
    if (streamLine)
        o.insert(QStringLiteral("stream"), true);
    if (response.status == 0)
        o.insert(QStringLiteral("error"), response.errorString.isEmpty() ? QStringLiteral("network error")
                                                                         : response.errorString);
    else if (response.error != QNetworkReply::NoError && response.status < 400)
        o.insert(QStringLiteral("error"), response.errorString); // e.g. a body cut short
    if (isTextual(type))
        o.insert(QStringLiteral("body"), QString::fromUtf8(response.body));
    file.write(QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n');
    file.flush();
}

/// Status, headers and error of a reply, without its body.
ApiResponse head(QNetworkReply *reply)
{
    ApiResponse r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.error = reply->error();
    if (r.error != QNetworkReply::NoError)
        r.errorString = reply->errorString();
    for (const auto &[name, value] : reply->rawHeaderPairs())
        r.headers.append({name, value});
    return r;
}

/// application/x-www-form-urlencoded, every reserved character percent-encoded (a literal '+'
/// would otherwise read as a space).
QByteArray formEncode(const QUrlQuery &form)
{
    QByteArray out;
    for (const auto &[key, value] : form.queryItems(QUrl::FullyDecoded)) {
        if (!out.isEmpty())
            out += '&';
        out += QUrl::toPercentEncoding(key) + '=' + QUrl::toPercentEncoding(value);
    }
    return out;
}

} // namespace

QString responsesFile()
{
    QString dir = qEnvironmentVariable("CONFAB_LOCALSERVER_RESPONSES_DIR");
    if (dir.isEmpty())
        dir = QStringLiteral(CONFAB_LOCALSERVER_RESPONSES_DIR);
    return QDir(dir).filePath(QCoreApplication::applicationName() + QStringLiteral(".jsonl"));
}

// --- ApiResponse ---------------------------------------------------------------------------------

QByteArray ApiResponse::header(const QByteArray &name) const
{
    for (const auto &[n, v] : headers)
        if (n.compare(name, Qt::CaseInsensitive) == 0)
            return v;
    return {};
}

bool ApiResponse::hasHeader(const QByteArray &name) const
{
    for (const auto &h : headers)
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

QByteArray ApiResponse::contentType() const
{
    return mediaType(header("content-type"));
}

QJsonObject ApiResponse::json() const
{
    return QJsonDocument::fromJson(body).object();
}

bool ApiResponse::isJsonObject() const
{
    QJsonParseError parse{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parse);
    return parse.error == QJsonParseError::NoError && doc.isObject();
}

QString ApiResponse::problemType() const
{
    const QString type = json().value(QLatin1String("type")).toString();
    return type.startsWith(QLatin1String(ProblemPrefix)) ? type.mid(qsizetype(qstrlen(ProblemPrefix))) : type;
}

QString ApiResponse::describe() const
{
    QString out = QStringLiteral("HTTP %1").arg(status);
    if (error != QNetworkReply::NoError)
        out += QStringLiteral(" (network: %1)").arg(errorString);
    if (!body.isEmpty())
        out += QStringLiteral(": ") + QString::fromUtf8(body.left(600));
    return out;
}

// --- StreamReader --------------------------------------------------------------------------------

StreamReader::StreamReader(QNetworkReply *reply, QString path, QObject *parent)
    : QObject(parent)
    , m_reply(reply)
    , m_path(std::move(path))
{
    connect(reply, &QNetworkReply::metaDataChanged, this, &StreamReader::readAvailable);
    connect(reply, &QNetworkReply::readyRead, this, &StreamReader::readAvailable);
    connect(reply, &QNetworkReply::finished, this, &StreamReader::readAvailable);
}

StreamReader::~StreamReader()
{
    close();
}

int StreamReader::status() const
{
    return m_reply ? m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() : 0;
}

bool StreamReader::finished() const
{
    return !m_reply || m_reply->isFinished();
}

void StreamReader::close()
{
    if (QNetworkReply *reply = m_reply.data()) {
        m_reply = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
}

void StreamReader::readAvailable()
{
    if (!m_reply)
        return;
    m_buffer += m_reply->readAll();
    if (status() != 200) {
        // Refused (or not yet answered): record the whole response once it is complete.
        if (m_reply->isFinished() && !m_recordedResponse) {
            m_recordedResponse = true;
            m_response = head(m_reply);
            m_response.body = m_buffer;
            record("GET", m_path, {}, m_response);
        }
        return;
    }
    if (!m_recordedResponse) {
        m_recordedResponse = true;
        m_response = head(m_reply);
    }
    qsizetype end = 0;
    while ((end = m_buffer.indexOf('\n')) >= 0) {
        const QByteArray line = m_buffer.left(end).trimmed();
        m_buffer.remove(0, end + 1);
        if (line.isEmpty())
            continue; // a heartbeat
        ApiResponse item = m_response;
        item.body = line;
        record("GET", m_path, {}, item, true);
        m_lines.append(QJsonDocument::fromJson(line).object());
    }
}

// --- ApiClient -----------------------------------------------------------------------------------

ApiClient::ApiClient(QUrl baseUrl, QString token)
    : m_base(std::move(baseUrl))
    , m_token(std::move(token))
    , m_nam(std::make_shared<QNetworkAccessManager>())
{
    m_nam->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

ApiClient ApiClient::withToken(const QString &token) const
{
    ApiClient copy = *this;
    copy.m_token = token;
    return copy;
}

QNetworkRequest ApiClient::networkRequest(const QString &path, const QUrlQuery &query, const QString &token) const
{
    QUrl url = m_base;
    url.setPath(path);
    if (!query.isEmpty())
        url.setQuery(query);
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token.toLatin1());
    return request;
}

PendingResponse ApiClient::start(const ApiRequest &r) const
{
    QNetworkRequest request = networkRequest(r.path, r.query, r.token.value_or(m_token));
    QByteArray contentType = r.contentType;
    if (contentType.isEmpty() && r.method == "POST")
        contentType = "application/json";
    if (!contentType.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
    for (const auto &[name, value] : r.headers)
        request.setRawHeader(name, value);
    return PendingResponse(m_nam, m_nam->sendCustomRequest(request, r.method, r.body), r.method);
}

ApiResponse ApiClient::send(const ApiRequest &r) const
{
    return start(r).wait();
}

// --- PendingResponse ------------------------------------------------------------------------------

PendingResponse::PendingResponse(std::shared_ptr<QNetworkAccessManager> nam, QNetworkReply *reply, QByteArray method)
    : m_nam(std::move(nam))
    , m_reply(reply)
    , m_method(std::move(method))
{}

PendingResponse::~PendingResponse()
{
    if (m_reply && !m_reply->isFinished())
        m_reply->abort();
}

bool PendingResponse::isFinished() const
{
    return m_response.has_value() || (m_reply && m_reply->isFinished());
}

ApiResponse PendingResponse::wait()
{
    if (m_response)
        return *m_response;
    QNetworkReply *reply = m_reply.get();
    if (!reply->isFinished()) {
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer watchdog;
        watchdog.setSingleShot(true);
        QObject::connect(&watchdog, &QTimer::timeout, reply, &QNetworkReply::abort);
        watchdog.start(ApiClient::WatchdogMsecs);
        loop.exec();
    }
    ApiResponse response = head(reply);
    response.body = reply->readAll();
    const QUrl url = reply->request().url();
    record(m_method, url.path(QUrl::FullyEncoded), url.query(QUrl::FullyEncoded), response);
    m_response = response;
    return response;
}

ApiResponse ApiClient::get(const QString &path, const QUrlQuery &query, const Headers &headers) const
{
    ApiRequest r;
    r.path = path;
    r.query = query;
    r.headers = headers;
    return send(r);
}

ApiResponse ApiClient::postJson(const QString &path, const QJsonObject &body) const
{
    return postRaw(path, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

ApiResponse ApiClient::postRaw(const QString &path, const QByteArray &body, const QByteArray &contentType) const
{
    ApiRequest r;
    r.method = "POST";
    r.path = path;
    r.body = body;
    r.contentType = contentType;
    return send(r);
}

ApiResponse ApiClient::postForm(const QString &path, const QUrlQuery &form, const Headers &headers) const
{
    ApiRequest r;
    r.method = "POST";
    r.path = path;
    r.body = formEncode(form);
    r.contentType = "application/x-www-form-urlencoded";
    r.headers = headers;
    return send(r);
}

ApiResponse ApiClient::deleteResource(const QString &path, const QUrlQuery &query) const
{
    ApiRequest r;
    r.method = "DELETE";
    r.path = path;
    r.query = query;
    return send(r);
}

std::unique_ptr<StreamReader> ApiClient::openStream(const QString &path, const QUrlQuery &query) const
{
    QNetworkReply *reply = m_nam->get(networkRequest(path, query, m_token));
    return std::make_unique<StreamReader>(reply, path);
}

} // namespace confab::localserver::test
