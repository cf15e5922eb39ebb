#pragma once

#include <QJSEngine>
#include <QPointer>

namespace confab {

/// What a C++ singleton's `create()` hands to QML: the instance the app set (the app keeps
/// owning it), or, for views loaded without the app (QML tests), one `makeFallback()` makes and
/// the engine then owns.
template<typename T, typename MakeFallback>
T *qmlSingleton(const QPointer<T> &instance, MakeFallback makeFallback)
{
    if (T *set = instance.data()) {
        QJSEngine::setObjectOwnership(set, QJSEngine::CppOwnership);
        return set;
    }
    T *fallback = makeFallback();
    QJSEngine::setObjectOwnership(fallback, QJSEngine::JavaScriptOwnership);
    return fallback;
}

} // namespace confab
