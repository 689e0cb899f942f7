//! End to end in a real browser: headless Chromium driven over WebDriver
//! (chromedriver + fantoccini). Opens the search page, types a symptom,
//! opens the incident and reads its fix, saving screenshots on the way.
//!
//! Needs `chromium` and `chromedriver` (Debian packages `chromium` and
//! `chromium-driver`; `.ci/install-browser` installs them). Without them the
//! test says so and passes, unless PMKB_BROWSER_TEST=required (as in CI).

mod common;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;
use fantoccini::{ClientBuilder, Locator};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn find_binary(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread")]
async fn search_open_incident_and_read_its_fix_in_chromium() {
    let required = std::env::var("PMKB_BROWSER_TEST").is_ok_and(|v| v == "required");
    let (Some(chromium), Some(driver)) = (
        find_binary(&["chromium", "chromium-browser", "google-chrome"]),
        find_binary(&["chromedriver"]),
    ) else {
        assert!(
            !required,
            "PMKB_BROWSER_TEST=required but chromium or chromedriver is missing"
        );
        eprintln!("skipping the browser test: install chromium and chromium-driver (bash .ci/install-browser)");
        return;
    };

    let ws = Workspace::with_sample_posts();
    let server = ws.serve(&[]);
    let base = server.base.clone();
    let port = free_port();
    let _driver = Killed(
        Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );

    let capabilities = serde_json::json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", "--window-size=1280,1000"]
        }
    });
    let capabilities = capabilities.as_object().unwrap().clone();
    let mut client = None;
    for _ in 0..50 {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => {
                client = Some(c);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    let client = client.expect("chromedriver accepts a session");
    let shots = common::root().join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();

    let result = async {
        client.goto(&format!("{base}/")).await?;
        let search = client.wait().for_element(Locator::Css("input#q")).await?;
        // The search box has focus on load.
        let focused = client
            .execute(
                "return document.activeElement && document.activeElement.id",
                vec![],
            )
            .await?;
        assert_eq!(focused, serde_json::json!("q"));
        search.send_keys("intermittent timeout").await?;
        client
            .find(Locator::Css("form.search button"))
            .await?
            .click()
            .await?;

        let expected = "Intermittent checkout timeouts from database connection pool exhaustion";
        let link = client
            .wait()
            .for_element(Locator::LinkText(expected))
            .await?;
        std::fs::write(shots.join("search.png"), client.screenshot().await?).unwrap();
        link.click().await?;

        let fixes = client
            .wait()
            .for_element(Locator::XPath("//section[h2[normalize-space()='Fixes']]"))
            .await?;
        let text = fixes.text().await?;
        assert!(
            text.contains("calls fraud-gateway before opening the transaction"),
            "fixes section: {text}"
        );
        std::fs::write(shots.join("incident.png"), client.screenshot().await?).unwrap();

        // `/` jumps back to the search box from anywhere.
        client
            .find(Locator::Css("body"))
            .await?
            .send_keys("/")
            .await?;
        let focused = client
            .execute(
                "return document.activeElement && document.activeElement.id",
                vec![],
            )
            .await?;
        assert_eq!(focused, serde_json::json!("q"));

        // Typed into, the box searches as you type; a query that cannot be
        // searched yet (a quote still open) says why instead of keeping the
        // last results.
        client.goto(&format!("{base}/")).await?;
        let search = client.wait().for_element(Locator::Css("input#q")).await?;
        search.send_keys("timeout").await?;
        client
            .wait()
            .for_element(Locator::XPath(
                "//section[@id='results']//a[contains(., 'timeouts')]",
            ))
            .await?;
        search.send_keys(" \"connection pool").await?;
        client
            .wait()
            .for_element(Locator::XPath(
                "//section[@id='results']//p[contains(., 'unbalanced quote')]",
            ))
            .await?;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = client.close().await;
    result.expect("browser steps");
    eprintln!("screenshots in {}", shots.display());
}
