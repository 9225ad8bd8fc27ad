using Peft.Runtime.Adapters;

namespace Peft.Runtime.Tests.Adapters.Storage;

/// <summary><see cref="AdapterId"/>: ASCII letters, digits, '-', '_', '.', 1–128 characters, no leading '.'.</summary>
public sealed class AdapterStoreIdValidationTests
{
    public static TheoryData<string> Valid => new()
    {
        "a",
        "Z",
        "7",
        "my-adapter_v2.1",
        "-leading-dash",
        "_",
        "trailing.",
        new string('x', AdapterId.MaxLength),
    };

    public static TheoryData<string?, string> Invalid => new()
    {
        { null, "adapter id is empty" },
        { "", "adapter id is empty" },
        { new string('x', 129), $"adapter id '{new string('x', 129)}' is 129 characters long, over the limit of 128" },
        { ".", "adapter id '.' starts with '.'" },
        { "..", "adapter id '..' starts with '.'" },
        { ".hidden", "adapter id '.hidden' starts with '.'" },
        { "a/b", "adapter id 'a/b' has character '/' at position 1; allowed are ASCII letters, digits, '-', '_' and '.'" },
        { "a\\b", "adapter id 'a\\b' has character '\\' at position 1; allowed are ASCII letters, digits, '-', '_' and '.'" },
        { "a b", "adapter id 'a b' has character U+0020 at position 1; allowed are ASCII letters, digits, '-', '_' and '.'" },
        { "a\0", "adapter id 'a\\u0000' has character U+0000 at position 1; allowed are ASCII letters, digits, '-', '_' and '.'" },
        { "a\nb", "adapter id 'a\\u000ab' has character U+000A at position 1; allowed are ASCII letters, digits, '-', '_' and '.'" },
        { "café", "adapter id 'café' has character 'é' at position 3; allowed are ASCII letters, digits, '-', '_' and '.'" },
        { "a:b", "adapter id 'a:b' has character ':' at position 1; allowed are ASCII letters, digits, '-', '_' and '.'" },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Valid_ids_pass_unchanged(string id)
    {
        Assert.True(AdapterId.IsValid(id));
        Assert.Same(id, AdapterId.Validate(id));
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_ids_are_refused_with_the_reason(string? id, string message)
    {
        Assert.False(AdapterId.IsValid(id));
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => AdapterId.Validate(id)).Message);
    }
}
