"""Simplified Chinese for the messages the server writes while the app runs (see `i18n.say`):
English template → Chinese template. A hole ("{0}") stands for a value (a name, a number, a path)
that is carried over as it is; `tests/ui/message_templates.py` lists the templates of the source.
"""

ZH_MESSAGES: dict[str, str] = {
    # cli.py
    "--mask applies to --task inpaint only": "--mask 只适用于 --task inpaint",
    "--task inpaint needs --mask: a PNG of the image's size, white where to fill in":
        "--task inpaint 需要 --mask：与图像同样大小的 PNG，需要补全的地方为白色",
    "--vocab-size sets the BPE vocabulary: a char tokenizer takes the corpus's characters":
        "--vocab-size 用于设置 BPE 词表：char 分词器的词表就是语料中的字符",
    "--pack {0} needs a batch of at least {1} images (--batch-size)":
        "--pack {0} 要求每批至少有 {1} 张图像（--batch-size）",
    "--out {0} is a folder; give a .png file name": "--out {0} 是一个文件夹；请给出一个 .png 文件名",
    "--out must end in .png, got {0}": "--out 必须以 .png 结尾，收到的是 {0}",
    "--class-conditional needs a dataset with at least two classes": "--class-conditional 需要至少有两个类别的数据集",
    "--unet-channels must be numbers separated by commas, got {0}":
        "--unet-channels 必须是用逗号分隔的数字，收到的是 {0}",

    # generation.py, ui/style_mixing.py: style-based GANs
    "{0} is a {1}: style mixing needs a style-based GAN (stylegan)": "{0} 是 {1}：风格混合需要基于风格的 GAN（stylegan）",
    "{0} is a {1}: truncation and noise settings apply to style-based GANs (stylegan) only":
        "{0} 是 {1}：截断和噪声设置只适用于基于风格的 GAN（stylegan）",
    "give 1 to {0} {1} seeds, got {2}": "请给出 1 到 {0} 个{1}种子，收到 {2} 个",
    "· truncation ψ {0}, noise {1}": "· 截断 ψ {0}，噪声{1}",
    "{0} × {1} mixes from **{2}**: {3} from the row seeds, the rest from the column seeds ({4}); {5} ms":
        "来自 **{2}** 的 {0} × {1} 个混合：{3} 取自行种子，其余取自列种子（{4}）；{5} 毫秒",
    "{0} seeds: give 1 to {1} seeds, got {2}": "{0}种子：请给出 1 到 {1} 个种子，收到 {2} 个",
    "the first layer styled by the column seed ({0})": "由列种子决定风格的第一层（{0}）",
    "{0} seeds: {1} is not a seed; write whole numbers such as 0 1 2 3 or a range such as 0-4":
        "{0}种子：{1} 不是种子；请写整数，例如 0 1 2 3，或范围，例如 0-4",

    # data/__init__.py
    "unknown image dataset {0}: choose one of {1}, or give a folder or .zip of images":
        "未知的图像数据集 {0}：请从 {1} 中选择一个，或给出一个图像文件夹或图像 .zip 文件",
    "user images have no {0} split: evaluate against a named dataset":
        "用户图像没有 {0} 划分：请改用具名数据集进行评估",

    # data/fashion_mnist.py (also data/mnist.py: "unknown dataset source")
    "cannot read {0}: {1}": "无法读取 {0}：{1}",
    "{0} is not an IDX file of the expected kind (magic {1})": "{0} 不是预期类型的 IDX 文件（魔数应为 {1}）",
    "{0} is truncated: {1} bytes of data for shape {2}": "{0} 不完整：形状 {2} 只有 {1} 字节的数据",
    "Fashion-MNIST IDX files are not in {0}: {1}": "{0} 中没有 Fashion-MNIST 的 IDX 文件：{1}",
    "{0}: {1} images do not match {2} labels": "{0}：形状为 {1} 的图像与形状为 {2} 的标签不匹配",
    "unknown Fashion-MNIST split {0}: use one of {1}": "未知的 Fashion-MNIST 划分 {0}：请使用 {1} 之一",
    "Fashion-MNIST has no embedded copy: {0}": "Fashion-MNIST 没有内置副本：{0}",
    "unknown dataset source {0}: use one of {1}": "未知的数据来源 {0}：请使用 {1} 之一",

    # data/mnist.py
    "unknown MNIST split {0}: use one of {1}": "未知的 MNIST 划分 {0}：请使用 {1} 之一",
    "{0} parquet file {1} holds no images": "{0} 的 parquet 文件 {1} 中没有图像",
    "cannot get {0} from the Hub or its cache ({1}); go online once, {2}":
        "无法从 Hub 或其缓存获取 {0}（{1}）；请联网一次，{2}",
    "cannot read {0} parquet file {1}: {2}": "无法读取 {0} 的 parquet 文件 {1}：{2}",
    "the embedded MNIST file {0} is missing or damaged ({1}): restore it from the repository":
        "内置的 MNIST 文件 {0} 缺失或已损坏（{1}）：请从仓库中恢复它",
    "image {0} in {1} is not a 28x28 image: {2}": "{1} 中的第 {0} 张图像不是 28x28 的图像：{2}",

    # data/text.py
    "unknown text corpus {0}: choose one of {1}, hub:owner/name, or a .txt file":
        "未知的文本语料 {0}：请从 {1} 中选择一个，或使用 hub:owner/name，或给出一个 .txt 文件",
    "no Python sources found under {0}": "在 {0} 下没有找到 Python 源文件",
    "{0} needs Debian's {1} package: apt-get install {2}": "{0} 需要 Debian 的 {1} 软件包：apt-get install {2}",
    "{0} is not a file": "{0} 不是一个文件",
    "{0} is {1} MB: the limit is {2} MB": "{0} 有 {1} MB：上限为 {2} MB",
    "{0} looks binary (it has NUL bytes): give a UTF-8 .txt file":
        "{0} 看起来是二进制文件（含有 NUL 字节）：请给出一个 UTF-8 编码的 .txt 文件",
    "{0} is empty or too short ({1} characters; need 100 or more)":
        "{0} 为空或太短（{1} 个字符；至少需要 100 个）",
    # {2} is the English plural "s": dropped (":.0" formats it as nothing).
    "{0} has only {1} distinct character{2}: a text model can learn nothing from it (need at least 3)":
        "{0} 只有 {1} 种不同的字符{2:.0}：文本模型从中学不到任何东西（至少需要 3 种）",
    "{0} has no .txt files or parquet `text` column with enough text":
        "{0} 中没有文本量足够的 .txt 文件或 parquet `text` 列",
    "{0} is not UTF-8 (byte {1} cannot be decoded): save it as UTF-8 and try again":
        "{0} 不是 UTF-8 编码（第 {1} 个字节无法解码）：请将其另存为 UTF-8 后重试",
    "cannot get the dataset {0} from the Hub or its cache ({1})": "无法从 Hub 或其缓存获取数据集 {0}（{1}）",

    # data/user_images.py
    "{0} is not a file: give a PNG or JPEG image": "{0} 不是文件：请给出 PNG 或 JPEG 图像",
    "{0} is not a file: give the mask as a PNG image": "{0} 不是文件：请以 PNG 图像给出遮罩",
    "the mask {0} is {1}x{2}px but the image is {3}x{4}px: give a mask of the image's size":
        "遮罩 {0} 是 {1}x{2}px，而图像是 {3}x{4}px：请给出与图像同样大小的遮罩",
    "{0} is empty: not a readable PNG/JPEG image": "{0} 是空文件：不是可读取的 PNG/JPEG 图像",
    "channels must be 1 (grayscale) or 3 (RGB), got {0}": "通道数必须为 1（灰度）或 3（RGB），收到的是 {0}",
    "{0} does not exist: give a folder or a .zip of PNG/JPEG images":
        "{0} 不存在：请给出一个装有 PNG/JPEG 图像的文件夹或 .zip 文件",
    "{0} is neither a folder nor a .zip file": "{0} 既不是文件夹也不是 .zip 文件",
    "{0} holds no PNG or JPEG images": "{0} 中没有 PNG 或 JPEG 图像",
    "{0} is {1}x{2} pixels: too large (limit 40 megapixels)": "{0} 为 {1}x{2} 像素：太大了（上限为 4000 万像素）",
    "{0} is far larger than 40 megapixels: too large": "{0} 远超 4000 万像素：太大了",
    "{0} is not a readable PNG/JPEG image: {1}": "{0} 不是可读取的 PNG/JPEG 图像：{1}",
    "{0} holds {1} images: the limit is {2}": "{0} 中有 {1} 张图像：上限为 {2} 张",
    "{0} is not a readable zip file: {1}": "{0} 不是可读取的 zip 文件：{1}",
    "{0} holds more than 2 GB of images": "{0} 中的图像超过 2 GB",
    "{0} unpacks to more than 2 GB: refused (zip bomb?)": "{0} 解压后超过 2 GB：已拒绝（可能是 zip 炸弹）",

    # device.py
    "device {0} asked for, but CUDA is not available here": "指定了设备 {0}，但此处没有可用的 CUDA",
    "device {0} asked for, but only {1} GPU(s) exist": "指定了设备 {0}，但只有 {1} 块 GPU",
    "device {0} asked for, but MPS is not available here": "指定了设备 {0}，但此处没有可用的 MPS",
    "unsupported device {0}: use auto, cpu, cuda or cuda:N": "不支持的设备 {0}：请使用 auto、cpu、cuda 或 cuda:N",
    "unknown device {0}: use auto, cpu, cuda or cuda:N": "未知的设备 {0}：请使用 auto、cpu、cuda 或 cuda:N",

    # evaluation.py
    "{0} is a {1}, not {2}": "{0} 是 {1}，不是 {2}",
    # the progress of a comparison
    "{0}: {1} samples, timed": "{0}：生成 {1} 个样本并计时",
    "{0}: {1} samples, timed, {2}": "{0}：生成 {1} 个样本并计时，{2}",
    "{0}: classifier-FID of {1} samples, {2}{3}": "{0}：计算 {1} 个样本的 classifier-FID，{2}{3}",
    "{0} ({1} of {2}): bits per character and a completion": "{0}（第 {1} 个，共 {2} 个）：每字符比特数与一段续写",
    "done": "完成",

    # families.py
    "unknown model_type {0}; known: {1}": "未知的 model_type {0}；已知的有：{1}",
    "unknown model family {0}; known: {1}": "未知的模型系列 {0}；已知的有：{1}",

    # folders/model_folder.py (also folders/pipeline_folder.py: "must hold a JSON object",
    # "is not valid JSON", "is missing")
    "model folder {0} does not exist or is not a folder": "模型文件夹 {0} 不存在或不是文件夹",
    "{0} is not a model folder: {1} is missing": "{0} 不是模型文件夹：缺少 {1}",
    "{0} must hold a JSON object": "{0} 中必须是一个 JSON 对象",
    "{0}: unknown model_type {1}; known: {2}": "{0}：未知的 model_type {1}；已知的有：{2}",
    "{0}: {1} is missing{2}": "{0}：缺少 {1}{2}",
    "{0} is not valid JSON: {1}": "{0} 不是有效的 JSON：{1}",
    "{0}: invalid value: {1}": "{0}：无效的值：{1}",
    "{0} is corrupt or not a safetensors file: {1}": "{0} 已损坏或不是 safetensors 文件：{1}",
    "{0} does not fit its {1}: {2}": "{0} 与其 {1} 不匹配：{2}",

    # folders/pipeline_folder.py (also folders/transformers_folder.py: "cannot be loaded")
    "{0}: only image pipelines with a UNet2DModel (DDPM/DDIM style) are supported, this one has unet={1}":
        "{0}：只支持带 UNet2DModel 的图像流水线（DDPM/DDIM 风格），而这个的 unet={1}",
    "{0}: unsupported scheduler {1}": "{0}：不支持的调度器 {1}",
    "{0}: only noise-predicting (epsilon) models are supported": "{0}：只支持预测噪声（epsilon）的模型",
    "{0} is missing: not a complete diffusers pipeline folder": "缺少 {0}：不是完整的 diffusers 流水线文件夹",
    "{0} cannot be loaded: {1}": "无法加载 {0}：{1}",

    # folders/registry.py
    "no model called {0}; available: {1}": "没有名为 {0} 的模型；可用的有：{1}",
    "{0} is shipped with genai-demo and cannot be renamed or deleted": "{0} 随 genai-demo 一起提供，不能重命名或删除",
    "{0} is the best checkpoint of a run: rename or delete the run itself":
        "{0} 是某次运行的最佳检查点：请重命名或删除该运行本身",
    "{0} is not a valid model name: use letters, digits, '-', '_' or '.', "
    "starting with a letter or digit (at most 96 characters)":
        "{0} 不是有效的模型名称：请使用字母、数字、'-'、'_' 或 '.'，并以字母或数字开头（最多 96 个字符）",
    "a model called {0} already exists": "名为 {0} 的模型已存在",

    # folders/transformers_folder.py
    "{0} is a {1} model, not a causal language model": "{0} 是 {1} 模型，不是因果语言模型",
    "{0} has no safetensors weights{1}": "{0} 中没有 safetensors 权重{1}",

    # generation.py
    "{0} is a {1}: only a VAE can reconstruct an image": "{0} 是 {1}：只有 VAE 才能重建图像",

    # hub/hub_models.py
    "enter a Hub model id such as google/ddpm-cifar10-32": "请输入 Hub 模型 ID，例如 google/ddpm-cifar10-32",
    "{0} is not a diffusers pipeline (no model_index.json)": "{0} 不是 diffusers 流水线（没有 model_index.json）",
    "{0} has no unet/diffusion_pytorch_model.safetensors: only safetensors weights are loaded here "
    "(pickle .bin files can run code)":
        "{0} 中没有 unet/diffusion_pytorch_model.safetensors：这里只加载 safetensors 权重"
        "（pickle 格式的 .bin 文件可能执行代码）",
    "{0} is not a Hub model id: use owner/name, e.g. google/ddpm-cifar10-32":
        "{0} 不是 Hub 模型 ID：请使用 owner/name 的形式，例如 google/ddpm-cifar10-32",
    "{0} is gated: accept its licence on huggingface.co and set HF_TOKEN":
        "{0} 需要授权访问：请在 huggingface.co 上接受其许可协议，并设置 HF_TOKEN",
    "{0} has no revision {1} (a branch, tag or commit)": "{0} 没有版本 {1}（分支、标签或提交）",
    "no model {0} on the Hub (or it is private: set HF_TOKEN)": "Hub 上没有模型 {0}（或它是私有的：请设置 HF_TOKEN）",
    "{0} is not in the local Hub cache and {1}: go online once to download it":
        "{0} 不在本地 Hub 缓存中，且 {1}：请联网一次以下载它",
    "a model called {0} already exists: rename or delete it first": "名为 {0} 的模型已存在：请先重命名或删除它",

    # hub/push.py
    "HF_HUB_OFFLINE is set: pushing needs the Hub, unset it and start again":
        "已设置 HF_HUB_OFFLINE：推送需要连接 Hub，请取消该设置后重新启动",
    "pushing needs a Hub token with write access: set HF_TOKEN (or paste one in the Hub tab) "
    "(huggingface.co/settings/tokens)":
        "推送需要具有写权限的 Hub 令牌：请设置 HF_TOKEN（或在“模型中心”标签页中粘贴一个）"
        "（huggingface.co/settings/tokens）",
    "{0} has broken YAML metadata: {1}": "{0} 的 YAML 元数据有误：{1}",
    "the Hub refused the push of {0}: {1}": "Hub 拒绝了 {0} 的推送：{1}",
    "cannot reach the Hub to push {0}: {1}": "无法连接 Hub 来推送 {0}：{1}",
    "the Hub refused the token (401): check HF_TOKEN or the pasted token":
        "Hub 拒绝了该令牌（401）：请检查 HF_TOKEN 或粘贴的令牌",
    "the token may not write to {0} (403): use a write token and a namespace you own":
        "该令牌无权写入 {0}（403）：请使用具有写权限的令牌，以及你拥有的命名空间",

    # jobs.py
    "run name {0} is not allowed: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit":
        "不允许使用运行名称 {0}：请使用 1-64 个字母、数字、'.'、'_' 或 '-'，并以字母或数字开头",
    "the {0} is trained from the command line only": "{0} 只能从命令行训练",
    "{0} (nothing was queued)": "{0}（未加入队列）",
    "run {0} is still {1}": "运行 {0} 仍处于“{1}”状态",
    "only the browser session that started this run can {0} it": "只有启动此运行的浏览器会话才能对它执行 {0}",
    "no training job {0}": "没有训练任务 {0}",
    "run {0} is already training or waiting: stop it first": "运行 {0} 已在训练或等待中：请先停止它",
    "run {0} has no saved checkpoint to resume": "运行 {0} 没有可用于继续训练的已保存检查点",
    "run {0} already exists: press Resume to continue it, or choose another name":
        "运行 {0} 已存在：请按“继续训练”继续它，或换一个名称",
    # a job's status line
    "starting…": "正在启动……",
    "step {0}/{1}": "第 {0}/{1} 步",
    "stopping after this step and saving…": "将在这一步结束后停止并保存……",
    "stopping at the next logged step and saving…": "将在下一个记录的步骤停止并保存……",
    "stopping: the app is shutting down": "正在停止：应用正在关闭",
    "cancelled before it started": "开始前已取消",
    "{0} at step {1}; saved to {2}": "{0}于第 {1} 步；已保存到 {2}",
    "stopped before it could save; the last saved checkpoint, if any, is kept":
        "未能保存就已停止；上次保存的检查点（如有）已保留",
    "failed: {0}": "失败：{0}",
    "could not start the trainer: {0}": "无法启动训练程序：{0}",

    # limits.py
    "{0} must be a whole number from {1} to {2}; the box is empty: enter one":
        "{0}必须是 {1} 到 {2} 之间的整数；输入框为空：请输入一个值",
    "{0} must be a whole number from {1} to {2}, got {3}": "{0}必须是 {1} 到 {2} 之间的整数，收到的是 {3}",
    "{0} must be a number from {1} to {2}; the box is empty: enter one":
        "{0}必须是 {1} 到 {2} 之间的数；输入框为空：请输入一个值",
    "{0} must be a number from {1} to {2}, got {3}": "{0}必须是 {1} 到 {2} 之间的数，收到的是 {3}",
    # the names of those numbers (a value inside the messages above)
    "seed": "随机种子",
    "number of samples": "样本数",
    "number of interpolation steps": "插值步数",
    "number of evaluation images": "评估图像数",
    "epochs": "轮数",
    "steps": "步数",
    "batch size": "批大小",
    "learning rate": "学习率",
    "sample every N steps": "每 N 步采样",
    "save every N steps": "每 N 步保存",
    "report losses every N steps": "每 N 步报告损失",
    "evaluate every N steps": "每 N 步评估",
    "latent size": "潜空间维度",
    "network width (feature maps)": "网络宽度（特征图数）",
    "critic steps per generator step": "每步生成器对应的判别器步数",
    "gradient penalty weight (lambda)": "梯度惩罚权重（lambda）",
    "KL weight (beta)": "KL 权重（beta）",
    "number of denoising steps": "去噪步数",
    "EMA decay": "EMA 衰减",
    "self-conditioning clusters": "自条件聚类数",
    "max new tokens": "最多新生成的词元数",
    "temperature": "温度",
    "top-k": "top-k",
    "top-p": "top-p",
    "repetition penalty": "重复惩罚",
    "context length (block size)": "上下文长度（block size）",

    # metrics/quality.py
    "{0} is a {1}, not a classifier folder": "{0} 是 {1}，不是分类器文件夹",
    "unknown reference {0}: use one of {1}": "未知的参照图像 {0}：请使用 {1} 之一",
    "classifier-FID needs a classifier for this data: the classifier reads {0}x{1}px images of {2} classes; "
    "this dataset has {3}x{4}px images of {5} classes: train a classifier on it "
    "(`python -m genai_demo train classifier`) and pass its folder":
        "classifier-FID 需要适用于这份数据的分类器：该分类器读取 {0}x{1}px、{2} 个类别的图像；"
        "而此数据集是 {3}x{4}px、{5} 个类别的图像：请在此数据集上训练一个分类器"
        "（`python -m genai_demo train classifier`），并传入它的文件夹",

    # text_generation.py
    "the prompt must be text": "提示词必须是文本",
    "the prompt must be text of at most {0} characters": "提示词必须是不超过 {0} 个字符的文本",
    "a {0} does not generate text": "{0} 不能生成文本",

    # train_args.py
    "--{0} applies to {1} only, not {2}": "--{0} 只适用于 {1}，不适用于 {2}",

    # training/__init__.py
    "{0} is not trained by genai-demo: it is loaded from the Hub only": "{0} 不由 genai-demo 训练：它只能从 Hub 加载",

    # training/checkpoint.py
    "the weights became NaN or infinite by step {0}; the last saved checkpoint is kept: try a lower learning rate":
        "到第 {0} 步时权重变成了 NaN 或无穷大；已保留上次保存的检查点：请尝试更低的学习率",
    "nothing to resume in {0}: {1} is missing": "{0} 中没有可继续的训练：缺少 {1}",
    "{0} is corrupt: {1}": "{0} 已损坏：{1}",
    "{0} does not belong to this model: {1}": "{0} 不属于此模型：{1}",

    # repair.py
    "unknown task {0}: choose one of {1}": "未知的任务 {0}：请从 {1} 中选择",
    "the scale must be one of {0}, got {1}": "放大倍数必须是 {0} 之一，收到的是 {1}",
    "a {0}px image cannot be reduced by {1}": "{0}px 的图像不能按 {1} 倍缩小",
    "the mask is {0}x{1}px but the image {2}x{3}px: draw or upload a mask of the image's size":
        "遮罩是 {0}x{1}px，而图像是 {2}x{3}px：请绘制或上传与图像同样大小的遮罩",
    "the mask hides nothing: paint (or upload in white) the part to be filled in":
        "遮罩没有遮住任何部分：请涂出（或以白色上传）需要补全的部分",
    "the mask hides the whole image: keep part of it for the model to go on":
        "遮罩遮住了整张图像：请保留一部分，让模型有所依据",
    "this model makes {0}px images: a ×{1} up-scale needs a {2}px image, got {3}px":
        "该模型生成 {0}px 的图像：×{1} 放大需要 {2}px 的图像，收到的是 {3}px",
    "the strength must be above 0 and at most 1, got {0}": "强度必须大于 0 且不超过 1，收到的是 {0}",
    "this class-conditional model has no unconditional mode: give a class hint":
        "这个类别条件模型没有无条件模式：请给出类别提示",
    "the null-space method repairs inpaint and upscale tasks, not {0}": "零空间方法只用于补全和放大任务，不能用于 {0}",
    "unknown mask {0}: choose one of {1}": "未知的遮罩 {0}：请从 {1} 中选择",
    "{0} holds a {1} model: repair needs an image generator (a diffusion model, a VAE or a GAN)":
        "{0} 中是 {1} 模型：修复需要图像生成模型（扩散模型、VAE 或 GAN）",
    # repair_evaluation.py
    "unknown repair case {0}: choose from {1}": "未知的修复用例 {0}：请从 {1} 中选择",
    "method {0} cannot do the {1} task with this model: choose one of {2}":
        "方法 {0} 无法用这个模型完成 {1} 任务：请从 {2} 中选择",
    "inpainting needs a mask: white where the image is to be filled in": "补全需要遮罩：需要补全的地方为白色",

    # training/diffusion_trainer.py
    "--init-from needs a UNet of this run's shape: the folder's has block channels {0} on {1}x{2}px images, "
    "this run's {3} on {4}x{5}px (set --unet-channels to match)":
        "--init-from 需要与本次训练形状相同的 UNet：该文件夹的通道为 {0}，图像为 {1}x{2}px；本次训练为 {3}，"
        "图像为 {4}x{5}px（请设置 --unet-channels 使其一致）",
    "--init-from {0}: a {1} folder, not a diffusion model": "--init-from {0}：这是 {1} 文件夹，不是扩散模型",

    # training/distributed.py
    "batch size {0} does not split over {1} processes: use a multiple of {2}":
        "批大小 {0} 无法平均分配到 {1} 个进程：请使用 {2} 的倍数",

    # training/gan_trainer.py
    "Adam betas must be in [0, 1), got ({0}, {1})": "Adam 的 betas 必须在 [0, 1) 范围内，收到的是 ({0}, {1})",
    "{0} clusters need at least as many training images; this dataset has {1}":
        "{0} 个聚类至少需要同样多的训练图像；此数据集只有 {1} 张",

    # training/image_trainer.py
    "batch size {0} is larger than the dataset ({1} images)": "批大小 {0} 大于数据集（{1} 张图像）",
    "the model makes {0}x{1}px images but the dataset has {2}x{3}px":
        "模型生成 {0}x{1}px 的图像，但数据集是 {2}x{3}px",
    "cannot resume with an EMA: the run was trained without one": "无法带 EMA 继续训练：该运行训练时没有使用 EMA",

    # training/loop.py
    "nothing to resume in {0}: no {1}": "{0} 中没有可继续的训练：没有 {1}",
    "{0} already holds a training run: pass --resume to continue it, or choose another output folder":
        "{0} 中已有一次训练运行：请加上 --resume 继续它，或另选一个输出文件夹",
    "unknown model {0} for {1}: choose one of {2}": "{1} 没有模型 {0}：请从 {2} 中选择一个",
    "cannot resume: {0} holds a {1}, not a {2}": "无法继续训练：{0} 中是 {1}，不是 {2}",
    "cannot resume: the run used {0} images, this dataset has {1} (another data source?)":
        "无法继续训练：该运行使用了 {0} 张图像，而此数据集有 {1} 张（数据来源不同？）",
    "losses became non-finite at step {0} ({1}); the last saved checkpoint is kept: try a lower learning rate":
        "第 {0} 步时损失变成了非有限值（{1}）；已保留上次保存的检查点：请尝试更低的学习率",
    "cannot resume: the run used {0}={1}, not {2}": "无法继续训练：该运行使用的是 {0}={1}，而不是 {2}",

    # training/text_trainer.py
    "the corpus is too short ({0} characters) for this context length": "对于这个上下文长度，语料太短（{0} 个字符）",
    "block size {0} is longer than the model's context ({1})": "块大小 {0} 超过了模型的上下文长度（{1}）",

    # training/wgan_gp_trainer.py
    "{0} trains in one process only: its gradient penalty needs a double backward, "
    "which data-parallel training does not support":
        "{0} 只能在单个进程中训练：它的梯度惩罚需要二次反向传播，而数据并行训练不支持这一点",

    # Written by the UI (ui/*.py), and the words of a run's state
    # jobs.py: a training run's state and message
    "queued": "排队中",
    "running": "运行中",
    "stopping": "正在停止",
    "stopped": "已停止",
    "finished": "已完成",
    "failed": "失败",
    "cancelled": "已取消",
    # evaluation.py: a comparison's progress
    "under a second": "不到一秒",
    "about {0}": "约 {0}",
    "up to {0}": "最多 {0}",
    # text_generation.py: a prompt cut to fit
    "the prompt has {0} characters: only its last {1} were used": "提示有 {0} 个字符：只用了最后 {1} 个",
    # ui/evaluate.py
    "choose two or more models to compare": "请选择两个或更多模型进行比较",
    "compare models trained on the same dataset: {0}": "请比较在同一数据集上训练的模型：{0}",
    "The comparison of {0} models is done ({1} s).": "{0} 个模型的比较已完成（{1} 秒）。",
    "classifier-FID needs a classifier of {0}, and none is shipped (train one with `python -m genai_demo train classifier --dataset ...` and use `eval --classifier`)":
        "classifier-FID 需要一个 {0} 的分类器，而本项目没有附带（用 `python -m genai_demo train classifier --dataset ...` 训练一个，并使用 `eval --classifier`）",
    "choose a corpus: {0}": "请选择一个语料库：{0}",
    "Training losses of {0}": "{0} 的训练损失",
    # ui/generate_diffusion.py
    "Loaded **{0}**: {1}×{2} px, {3} parameters.": "已加载 **{0}**：{1}×{2} 像素，{3} 个参数。",
    "unknown sampler {0}; choose one of {1}": "未知的采样器 {0}；请从以下选择：{1}",
    "this model was trained with {0} noise levels: use at most {1} steps": "这个模型用 {0} 个噪声级别训练：最多使用 {1} 步",
    "Done: step {0}/{1} with {2}, seed {3}, {4} s on {5}": "完成：第 {0}/{1} 步，采样器 {2}，种子 {3}，在 {5} 上用时 {4} 秒",
    "Denoising: step {0}/{1} with {2}, seed {3}, {4} s on {5}": "去噪中：第 {0}/{1} 步，采样器 {2}，种子 {3}，在 {5} 上用时 {4} 秒",
    "Stopped.": "已停止。",
    "Downloading {0} from the Hub…": "正在从 Hub 下载 {0}……",
    # ui/generate_images.py
    "{0} samples": "{0} 个样本",
    "{0} samples of class {1} ({2})": "{0} 个类别 {1}（{2}）的样本",
    "{0} samples, {1} per class, one row per class": "{0} 个样本，每类 {1} 个，每类一行",
    "{0} samples, {1} per class, one row per class ({2} asked)": "{0} 个样本，每类 {1} 个，每类一行（请求了 {2} 个）",
    "{0} from **{1}**, seed {2}, {3} ms on {4}": "{0}，来自 **{1}**，种子 {2}，在 {4} 上用时 {3} 毫秒",
    "No image model found: train one with `python -m genai_demo train dcgan --out DIR`.":
        "没有找到图像模型：用 `python -m genai_demo train dcgan --out DIR` 训练一个。",
    "`{0}` has no model card.": "`{0}` 没有模型卡片。",
    "Draw a digit or upload an image first.": "请先画一个数字或上传一张图片。",
    # ui/generate_text.py
    "Loaded **{0}**: {1} parameters.": "已加载 **{0}**：{1} 个参数。",
    # ui/hub.py
    "Pushed **{0}** to [{1}]({2}).": "已把 **{0}** 推送到 [{1}]({2})。",
    "yes, on {0} ({1})": "可以，在 {0} 上（{1}）",
    "no: {0}": "不能：{0}",
    "Pulled into **{0}**.": "已拉取到 **{0}**。",
    "Renamed to **{0}**.": "已重命名为 **{0}**。",
    "Deleted **{0}**.": "已删除 **{0}**。",
    "Nothing deleted.": "未删除任何内容。",
    "Pulling {0}…": "正在拉取 {0}……",
    "loads": "能否加载",
    "family": "模型族",
    "dataset": "数据集",
    "parameters": "参数量",
    "size on disk": "磁盘占用",
    "source": "来源",
    "folder": "文件夹",
    "figure": "指标",
    "value": "数值",
    "*No model chosen.*": "*未选择模型。*",
    "run #{0} is writing {1}: stop it first": "运行 #{0} 正在写入 {1}：请先停止它",
    "{0} was trained by another session: only its owner may change it": "{0} 由另一个会话训练：只有它的所有者可以修改它",
    # ui/model_picker.py
    "choose a {0} model first (or load one from the Hub)": "请先选择一个{0}模型（或从 Hub 加载一个）",
    # ui/train.py
    "choose a model family: {0}": "请选择一个模型族：{0}",
    "Not on this machine: {0}": "本机没有：{0}",
    "{0} must be a whole number": "{0}必须是整数",
    "choose a file to upload first (a .zip of images, or a .txt for text models)": "请先选择要上传的文件（图像的 .zip，或文本模型的 .txt）",
    "{0} trains on {1}, not {2}": "{0} 训练用的是 {1}，不是 {2}",
    "a UTF-8 .txt file": "UTF-8 编码的 .txt 文件",
    "a .zip of PNG/JPEG images": "PNG/JPEG 图像的 .zip",
    "this Space trains at most {0} steps a run (on ZeroGPU each slice of a run spends the Space's GPU quota): train longer runs locally or on a GPU box":
        "这个 Space 每次训练最多 {0} 步（在 ZeroGPU 上，训练的每一段都会消耗这个 Space 的 GPU 配额）：更长的训练请在本地或 GPU 机器上进行",
    "{0} is not a dataset for {1}": "{0} 不是 {1} 的数据集",
    "Memory: app {0} MB": "内存：应用 {0} MB",
    "training process {0} MB and {1} MB of CUDA memory reserved (given back when the run ends)":
        "训练进程 {0} MB，另保留 {1} MB CUDA 显存（运行结束时释放）",
    "training process {0} MB (given back when the run ends)": "训练进程 {0} MB（运行结束时释放）",
    "no training process": "没有训练进程",
    "CUDA in this app: {0} MB allocated, {1} MB reserved": "本应用的 CUDA：已分配 {0} MB，已保留 {1} MB",
    "waiting, position {0} in the queue": "等待中，队列第 {0} 位",
    "step {0} / {1}": "第 {0} / {1} 步",
    "{0} samples/s · {1} steps/s · ETA {2}": "{0} 样本/秒 · {1} 步/秒 · 预计剩余 {2}",
    "Pick <b>{0}</b> in the {1} tab to use it.": "在“{1}”标签页中选择 <b>{0}</b> 即可使用它。",
    "No run yet: choose a model and press <b>Train</b>.": "还没有运行：选择一个模型，然后按 <b>训练</b>。",
    "best {0} {1} at step {2} (kept as {3}/best)": "最佳 {0} {1}，在第 {2} 步（保存为 {3}/best）",
    "sample quality not measured (set \"Evaluate every N steps\" to see it)": "未测量样本质量（设置“每 N 步评估一次”即可看到）",
    "Fixed-seed samples at step {0}": "固定种子的样本，第 {0} 步",
    "log10({0})": "log10({0})",
    "step": "步",
    "loss": "损失",
    # the titles of the toasts
    "Error": "错误",
    "Warning": "警告",
    "Info": "提示",
    "bits per character": "每字符比特数",

    # data/attributes.py
    "attribute bins must look like {0}, got {1}": "属性分箱必须形如 {0}，收到的是 {1}",
    # prompts.py
    "prompts are understood for {0} models, not {1}": "提示词只适用于 {0} 模型，不适用于 {1}",
    "the prompt is empty. {0}": "提示词为空。{0}",
    "the prompt has {0} characters, more than {1}. {2}": "提示词有 {0} 个字符，超过了 {1} 个。{2}",
    "I can't read {0} as a prompt for {1}: did not understand {2}. {3}":
        "无法把 {0} 理解为 {1} 的提示词：看不懂 {2}。{3}",
    "I can't read {0} as a prompt for {1}: {2} is more than one digit; name one digit. {3}":
        "无法把 {0} 理解为 {1} 的提示词：{2} 不止一位数字；请只说一个数字。{3}",
    "I can't read {0} as a prompt for {1}: {2} is a Fashion-MNIST garment, which a fashion-mnist model draws; "
    "this model draws digits. {3}":
        "无法把 {0} 理解为 {1} 的提示词：{2} 是 Fashion-MNIST 的服饰，要由 fashion-mnist 模型来画；这个模型画的是数字。{3}",
    "I can't read {0} as a prompt for {1}: {2} is a digit, which an mnist model draws; this model draws garments. {3}":
        "无法把 {0} 理解为 {1} 的提示词：{2} 是数字，要由 mnist 模型来画；这个模型画的是服饰。{3}",
    "I can't read {0} as a prompt for {1}: {2} could be any of {3}; name one. {4}":
        "无法把 {0} 理解为 {1} 的提示词：{2} 可能是 {3} 中的任何一种；请说出其中一种。{4}",
    "I can't read {0} as a prompt for {1}: it names more than one class ({2}); name one. {3}":
        "无法把 {0} 理解为 {1} 的提示词：它说出了不止一个类别（{2}）；请只说一个。{3}",
    "I can't read {0} as a prompt for {1}: it names no class. {2}": "无法把 {0} 理解为 {1} 的提示词：它没有说出任何类别。{2}",
    "I can't read {0} as a prompt for {1}: {2} contradict each other; choose one. {3}":
        "无法把 {0} 理解为 {1} 的提示词：{2} 互相矛盾；请选择其一。{3}",
    # the two help texts (prompts.MNIST_HELP, prompts.FASHION_HELP), which end every refusal above
    'Name a digit 0-9 ("7", "seven", "七"), optionally thin/medium/thick and slanted left/upright/right '
    '("a thin slanted 7", "一个粗的3").':
        '请说出一个数字 0-9（"7"、"seven"、"七"），可以再加上细/中等/粗和向左倾斜/端正/向右倾斜'
        '（"a thin slanted 7"、"一个粗的3"）。',
    'Name a garment: T-shirt/top, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag or ankle boot '
    '("T恤", "运动鞋"), optionally thin/medium/thick and slanted left/upright/right ("a bold sneaker", "一件细的外套").':
        '请说出一种服饰：T恤/上衣、裤子、套头衫、连衣裙、外套、凉鞋、衬衫、运动鞋、包或短靴（"T恤"、"运动鞋"），'
        '可以再加上细/中等/粗和向左倾斜/端正/向右倾斜（"a bold sneaker"、"一件细的外套"）。',
    # generation.py and cli.py: prompts and guidance
    "{0} is not a guided diffusion model: guidance applies to class-conditional diffusion models (cddpm) only":
        "{0} 不是带引导的扩散模型：引导只适用于类别条件扩散模型（cddpm）",
    "{0} takes no prompt: prompts apply to class-conditional diffusion models (cddpm)":
        "{0} 不接受提示词：提示词只适用于类别条件扩散模型（cddpm）",
    "{0} was not trained on thickness and slant: ask for the class only, or use a model trained with --attributes":
        "{0} 没有按粗细和倾斜训练：请只指定类别，或使用以 --attributes 训练的模型",
    "the prompt names no class of {0}": "提示词没有说出 {0} 的任何类别",
    "guidance scale": "引导强度",
    "--out {0} is a folder; give a .png or .npy file name": "--out {0} 是一个文件夹；请给出 .png 或 .npy 文件名",
    "--out must end in .png (a grid) or .npy (the array), got {0}": "--out 必须以 .png（网格）或 .npy（数组）结尾，收到的是 {0}",
    "give --class or --prompt, not both": "请给出 --class 或 --prompt，不要同时给出",
    # folders/pipeline_folder.py: a conditional folder's conditioning.json
    "{0}: {1} does not match the UNet's class embeddings": "{0}：{1} 与 UNet 的类别嵌入不一致",
    "{0}: unsupported UNet, scheduler or conditioning config: {1}": "{0}：不支持的 UNet、调度器或条件配置：{1}",
    # ui/generate_diffusion.py: how a prompt was read
    "understood as: {0}": "理解为：{0}",
    # ui/repair.py
    "unknown damage {0}: choose one of {1}": "未知的损坏方式 {0}：请从 {1} 中选择",
    "choose a model first": "请先选择一个模型",
    "load a test image, upload one or draw one first": "请先载入一张测试图像，或上传、画一张",
    "{0}'s card names no dataset: upload or draw an image instead": "{0} 的模型卡没有写明数据集：请改为上传或画一张图像",
    "paint over the part of the image to fill in first (or pick a damage such as the lower half)":
        "请先用画笔涂抹需要补全的部分（或选择一种损坏方式，例如遮住下半部分）",
    "upload the mask first: a PNG of the image's size, white where to fill in": "请先上传掩码：与图像同尺寸的 PNG，白色处为需补全",
    "the classifier reads the original as {0} and the repairs as {1}": "分类器把原图读作 {0}，把修复结果读作 {1}",
    "the classifier reads the repairs as {0}": "分类器把修复结果读作 {0}",
    "Repairing {0}/{1} with {2}: step {3}/{4}, {5} s on {6}": "正在用 {2} 修复第 {0}/{1} 份：第 {3}/{4} 步，{5} 秒，运行在 {6} 上",
    "Done: {0} repair(s) of the {1} task with {2}, seeds {3}–{4}, {5} s on {6}":
        "完成：用 {2} 完成 {1} 任务的 {0} 份修复，种子 {3}–{4}，{5} 秒，运行在 {6} 上",
    "the model's default": "模型的默认方法",
    # the 2D playground (training/playground.py, data/toy2d.py, ui/playground.py, the CLI)
    "--measure-every ({0}) must not exceed the steps ({1})": "--measure-every（{0}）不能超过步数（{1}）",
    "draw at least {0} points' worth of strokes on the canvas (found {1}): the drawing is the data the models learn":
        "请在画布上画出至少 {0} 个点的笔画（现有 {1} 个）：所画的就是模型要学习的数据",
    "unknown 2D dataset {0}; choose one of {1} (or draw points)": "未知的二维数据集 {0}；请从 {1} 中选择（或自己画点）",
    "unknown preset {0}; choose one of {1}": "未知的预设 {0}；请从 {1} 中选择",
    "unknown playground family {0}; choose one of {1}": "未知的模型族 {0}；请从 {1} 中选择",
    "draw the data on the canvas first (choose a dataset to use one of the built-in ones)":
        "请先在画布上画出数据（或选择一个内置数据集）",
    "step {0}": "第 {0} 步",
    "last update: {0}": "上一次更新：{0}",
    "sliced Wasserstein {0}": "切片 Wasserstein {0}",
    "{0} steps/s, {1} frames/s": "{0} 步/秒，{1} 帧/秒",
    "pause first: one step at a time works on a paused run": "请先暂停：单步只能在暂停的训练上进行",
    "modes covered {0}/{1}": "覆盖模式 {0}/{1}",
    "high quality {0}%": "高质量 {0}%",
    "numbers from an EMA of the weights ({0})": "指标来自权重的滑动平均（{0}）",
}
