using Peft.LoadTests;

return await LoadTestApp.RunAsync(args);
