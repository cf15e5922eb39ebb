#pragma once

#include "core/error.h"

#include <QtGlobal>

#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace confab {

/// The outcome of an operation that can fail: either a value of type T or a typed Error.
///
/// Implicitly constructible from both, so a function returns `value` or `Error{...}` directly.
/// Reading the value of a failed result (or the error of a successful one) is a programming error
/// and asserts. `Result<void>` carries only success or an Error.
template<typename T>
class [[nodiscard]] Result
{
    static_assert(!std::is_same_v<std::remove_cvref_t<T>, Error>, "Result<Error> is ambiguous");
    static_assert(!std::is_reference_v<T>, "Result holds values, not references");

public:
    Result(const T &value) : m_state(std::in_place_index<0>, value) {}
    Result(T &&value) : m_state(std::in_place_index<0>, std::move(value)) {}
    Result(const Error &error) : m_state(std::in_place_index<1>, error) {}
    Result(Error &&error) : m_state(std::in_place_index<1>, std::move(error)) {}

    [[nodiscard]] bool ok() const { return m_state.index() == 0; }
    [[nodiscard]] bool hasError() const { return !ok(); }
    explicit operator bool() const { return ok(); }

    [[nodiscard]] T &value() &
    {
        Q_ASSERT_X(ok(), "Result::value", "no value: the result holds an error");
        return std::get<0>(m_state);
    }
    [[nodiscard]] const T &value() const &
    {
        Q_ASSERT_X(ok(), "Result::value", "no value: the result holds an error");
        return std::get<0>(m_state);
    }
    [[nodiscard]] T &&value() &&
    {
        Q_ASSERT_X(ok(), "Result::value", "no value: the result holds an error");
        return std::get<0>(std::move(m_state));
    }

    [[nodiscard]] const Error &error() const
    {
        Q_ASSERT_X(!ok(), "Result::error", "no error: the result holds a value");
        return std::get<1>(m_state);
    }

    template<typename U>
    [[nodiscard]] T valueOr(U &&fallback) const &
    {
        return ok() ? std::get<0>(m_state) : static_cast<T>(std::forward<U>(fallback));
    }

    /// Applies `f` to the value; an error passes through unchanged.
    template<typename F>
    [[nodiscard]] auto map(F &&f) const & -> Result<std::invoke_result_t<F, const T &>>
    {
        if (ok())
            return std::forward<F>(f)(std::get<0>(m_state));
        return std::get<1>(m_state);
    }

private:
    std::variant<T, Error> m_state;
};

template<>
class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(const Error &error) : m_error(error) {}
    Result(Error &&error) : m_error(std::move(error)) {}

    [[nodiscard]] static Result success() { return {}; }

    [[nodiscard]] bool ok() const { return !m_error.has_value(); }
    [[nodiscard]] bool hasError() const { return !ok(); }
    explicit operator bool() const { return ok(); }

    [[nodiscard]] const Error &error() const
    {
        Q_ASSERT_X(!ok(), "Result::error", "no error: the result is a success");
        return *m_error;
    }

private:
    std::optional<Error> m_error;
};

} // namespace confab
