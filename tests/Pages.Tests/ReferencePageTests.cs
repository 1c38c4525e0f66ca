using DataHub.Testing;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace DataHub.Pages.Tests;

/// <summary>The Scalar reference page, in Debian's headless Chromium driven by chromedriver.</summary>
public sealed class ReferencePageTests
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private const string ChromeDriverPath = "/usr/bin/chromedriver";
    private static readonly TimeSpan _patience = TimeSpan.FromSeconds(30);

    [Test]
    public async Task The_reference_page_lists_the_entities_and_sends_a_call_from_the_browser()
    {
        Assert.That(File.Exists(ChromiumPath) && File.Exists(ChromeDriverPath), Is.True,
            $"This test drives Debian's Chromium: {ChromiumPath} and {ChromeDriverPath} are needed. ops/test installs them "
            + "(apt-get install chromium chromium-driver).");
        using var schema = new TempDirectory();
        schema.CopyShippedSample();
        await using var host = await RunningHost.StartAsync(schema.Path);
        using var browser = StartChromium();
        try
        {
            browser.Navigate().GoToUrl(new Uri(host.BaseAddress, "_reference/product"));
            var wait = new WebDriverWait(browser, _patience);

            // The sidebar lists every operation by the entity's name (then its method), linked to its path.
            var listed = wait.Until(driver =>
            {
                var names = driver.FindElements(By.CssSelector("[href*='/product/services/']"))
                    .Select(link => link.Text.Split('\n')[0].Trim()).ToHashSet();
                return names.Contains("Hello world") && names.Contains("Door price") ? names : null;
            });
            Assert.That(listed, Is.SupersetOf(new[] { "Hello world", "Greeting", "Quote", "Door price", "Add a door order", "Product overview" }));

            // Open GET hello's test client and send the call.
            browser.FindElement(By.CssSelector("[href$='GET/product/services/hello']")).Click();
            var testRequest = wait.Until(driver => driver.FindElements(By.CssSelector("button.show-api-client-button"))
                .FirstOrDefault(button => button.GetAttribute("textContent")?.Contains("get /product/services/hello", StringComparison.OrdinalIgnoreCase) == true));
            ((IJavaScriptExecutor)browser).ExecuteScript("arguments[0].click();", testRequest);
            var send = wait.Until(driver => driver.FindElements(By.XPath("//button[normalize-space(.)='Send' or starts-with(normalize-space(.), 'Send ')]"))
                .FirstOrDefault(button => button.Displayed));
            send.Click();

            var answered = wait.Until(driver => driver.FindElement(By.TagName("body")).Text is var text
                && text.Contains("\"message\"", StringComparison.Ordinal) && text.Contains("200 OK", StringComparison.Ordinal));
            Assert.That(answered, Is.True);
            Assert.That(browser.FindElement(By.TagName("body")).Text, Does.Contain("\"message\": \"Hello world\""), "the answer's body");
        }
        finally
        {
            KeepScreenshot(browser, "reference-page-product.png");
        }
    }

    private static ChromeDriver StartChromium()
    {
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriverPath)!, Path.GetFileName(ChromeDriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        // --no-sandbox: the tests may run as root, where Chromium's sandbox refuses to start.
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1000");
        return new ChromeDriver(service, options, _patience);
    }

    /// <summary>Saves what the browser shows under TestResults/ beside the tests and attaches it to the result.</summary>
    private static void KeepScreenshot(ChromeDriver browser, string name)
    {
        var folder = Path.Combine(TestContext.CurrentContext.TestDirectory, "TestResults");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        browser.GetScreenshot().SaveAsFile(path);
        TestContext.AddTestAttachment(path, "The reference page after the call");
    }
}
