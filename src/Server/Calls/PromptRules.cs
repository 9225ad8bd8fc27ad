using Peft.Runtime.Validation;
using Peft.Server.Errors;
using Peft.Server.Hosting;

namespace Peft.Server.Calls;

/// <summary>The request's prompt as token ids: text through the model's tokenizer, or ids as sent.</summary>
internal static class PromptRules
{
    /// <param name="cancellationToken">The call's: no default, so every edge says what stops its tokenizing.</param>
    /// <exception cref="OperationCanceledException">The call was cancelled (or its deadline passed) while tokenizing.</exception>
    public static IReadOnlyList<int> Tokens(PromptInput? prompt, LoadedModel model, CancellationToken cancellationToken)
    {
        switch (prompt)
        {
            case TextPrompt text:
                if (text.Text.Length == 0)
                    throw ApiErrors.Invalid("the prompt text is empty", "prompt");
                if (model.Tokenizer is null)
                    throw ApiErrors.Precondition("the served model has no tokenizer (tokenizer.json or tokenizer.model), so text prompts cannot be served; send token_ids", "prompt");
                // Bounded by bytes before the tokenizer runs: the work one request causes is bounded before it starts.
                if (PromptText.TooLarge(text.Text, model.Engine.Options.MaxPromptBytes) is { } tooLarge)
                    throw ApiErrors.Invalid(tooLarge, "prompt");
                var tokens = model.Tokenizer.Encode(text.Text, text.AddSpecialTokens, cancellationToken);
                return tokens.Count > 0 ? tokens : throw ApiErrors.Invalid("the prompt text encodes to no tokens", "prompt");
            case TokenPrompt { Ids: var ids }:
                if (ids.Count == 0)
                    throw ApiErrors.Invalid("token_ids is empty", "prompt");
                if (TokenIdRange.FirstOutside(ids, model.VocabSize) is { } bad)
                    throw ApiErrors.Invalid($"token_ids[{bad}] is {ids[bad]}, outside the vocabulary [0, {model.VocabSize})", "prompt");
                return ids;
            default:
                throw ApiErrors.Invalid("the request has no prompt: set text or token_ids", "prompt");
        }
    }
}
