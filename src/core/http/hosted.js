// Shared by the hosted pages: a preview under every file input once a picture is chosen. An input
// may name its own image element (by id) in data-preview; otherwise one is added after it.
(() => {
  for (const input of document.querySelectorAll('input[type=file]')) {
    let img = input.dataset.preview && document.getElementById(input.dataset.preview);
    if (!img) {
      img = document.createElement('img');
      img.className = 'hp-preview';
      img.alt = 'The chosen picture';
      input.after(img);
    }
    img.hidden = true;
    let url = null;
    input.addEventListener('change', () => {
      const file = input.files[0];
      if (url) URL.revokeObjectURL(url);
      url = null;
      if (file && file.type.startsWith('image/')) {
        url = URL.createObjectURL(file);
        img.src = url;
        img.hidden = false;
      } else {
        img.hidden = true;
        img.removeAttribute('src');
      }
    });
  }
})();
