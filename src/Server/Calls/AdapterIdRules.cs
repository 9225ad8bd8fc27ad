using Peft.Runtime.Adapters;
using Peft.Server.Errors;

namespace Peft.Server.Calls;

/// <summary>AdapterId's rules without exceptions for control flow.</summary>
internal static class AdapterIdRules
{
    public static bool IsValid(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        problem = null;
        if (AdapterId.IsValid(id)) return true;
        try
        {
            AdapterId.Validate(id);
        }
        catch (ArgumentException e)
        {
            problem = e.Message;
        }
        problem ??= $"adapter id '{id}' is not valid";
        return false;
    }

    public static string Require(string id) => IsValid(id, out string? problem) ? id : throw ApiErrors.Invalid(problem);
}
