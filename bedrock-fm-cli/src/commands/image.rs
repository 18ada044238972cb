//! `bedrock-fm image`: generates images from a prompt, writes them as PNG files into a
//! directory and prints their paths, one per line.
//!
//! Every check the library makes before a request (model ID, image family, size, count, seed
//! range, prompt length) runs first against a client that cannot reach anything, so that bad
//! input fails before the AWS configuration is loaded or the local server is started.

use crate::Failure;
use crate::commands::embed::{connect_to, offline_client};
use bedrock_fm::Client;
use bedrock_fm::images::{AnyImageModel, ImageRequest};
use image::ImageFormat;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The options of `bedrock-fm image`, each checked.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImageArgs {
    /// `--model`.
    pub model: String,
    /// `--out`.
    pub out: PathBuf,
    /// `--negative`.
    pub negative: Option<String>,
    /// `--width` and `--height`.
    pub size: Option<(u32, u32)>,
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--count`.
    pub count: Option<u32>,
    /// `--region`.
    pub region: Option<String>,
    /// `--local`.
    pub local: bool,
    /// The prompt, never blank.
    pub prompt: String,
}

fn request(args: &ImageArgs) -> ImageRequest {
    let mut request = ImageRequest::text_to_image(args.prompt.clone());
    if let Some(n) = &args.negative {
        request = request.negative_prompt(n.clone());
    }
    if let Some((w, h)) = args.size {
        request = request.size(w, h);
    }
    if let Some(s) = args.seed {
        request = request.seed(s);
    }
    if let Some(c) = args.count {
        request = request.count(c);
    }
    request
}

fn build_model(client: &Client, args: &ImageArgs) -> bedrock_fm::Result<AnyImageModel> {
    AnyImageModel::builder(client, args.model.as_str()).build()
}

/// The next `image-N.png` in `dir` that does not exist yet.
fn next_free(dir: &Path, from: &mut usize) -> PathBuf {
    loop {
        let path = dir.join(format!("image-{from}.png"));
        *from += 1;
        if !path.exists() {
            return path;
        }
    }
}

/// Runs `image`.
pub async fn run(args: ImageArgs) -> Result<(), Failure> {
    let request = request(&args);
    build_model(&offline_client(), &args)?.request_body(&request)?;
    let (client, _server) = connect_to(args.local, args.region.as_deref()).await?;
    let model = build_model(&client, &args)?;
    let details = model.run(&request).await?;
    if details.images.is_empty() {
        let why = details
            .message
            .unwrap_or_else(|| "the model returned no image".to_owned());
        return Err(Failure::Call(bedrock_fm::Error::from(
            bedrock_fm::ServiceError::new(bedrock_fm::ErrorKind::ModelError, why),
        )));
    }
    std::fs::create_dir_all(&args.out)?;
    let mut stdout = std::io::stdout();
    let mut n = 1;
    for img in &details.images {
        let path = next_free(&args.out, &mut n);
        img.save_with_format(&path, ImageFormat::Png)
            .map_err(std::io::Error::other)?;
        writeln!(stdout, "{}", path.display())?;
    }
    stdout.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::{ArgError, Command};

    fn parse_str(args: &[&str]) -> Result<Command, ArgError> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        crate::args::parse(&args)
    }

    #[test]
    fn every_option() {
        let Ok(Command::Image(i)) = parse_str(&[
            "image",
            "--model",
            "m",
            "--negative",
            "blur",
            "--width",
            "512",
            "--height=512",
            "--seed",
            "7",
            "--count",
            "2",
            "--out",
            "dir",
            "--local",
            "a fox",
        ]) else {
            panic!("image")
        };
        assert_eq!(i.size, Some((512, 512)));
        assert_eq!((i.seed, i.count), (Some(7), Some(2)));
        assert_eq!(i.negative.as_deref(), Some("blur"));
        assert_eq!(i.out, PathBuf::from("dir"));
        assert_eq!(i.prompt, "a fox");
        assert!(i.local);
    }

    #[test]
    fn bad_command_lines() {
        let e = parse_str(&["image", "--model", "m", "--width", "512", "--out", "d", "x"]);
        assert!(e.unwrap_err().message.contains("--height"));
        let e = parse_str(&["image", "--model", "m", "x"]).unwrap_err();
        assert!(e.message.contains("--out"), "{e}");
        let e = parse_str(&["image", "--model", "m", "--out", "d", "--seed", "-1", "x"]);
        assert!(
            e.unwrap_err()
                .to_string()
                .starts_with("InvalidInput: --seed:")
        );
        let e = parse_str(&["image", "--model", "m", "--out", "d", " "]).unwrap_err();
        assert_eq!(e.to_string(), "InvalidInput: prompt: the prompt is empty");
    }
}
